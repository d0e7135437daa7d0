"""What a message is about, in a few dozen ideas instead of thousands of words.

A new writer says "lemme see you with the hoodie off" where the patterns know "send a pic
without your shirt". The words differ; the ideas (a request to see, clothing coming off) do
not. Each idea here is a set of words and short phrases, English and Spanish, over the text
normalise.py has cleaned (lower case, no accents, leetspeak undone). The second stage reads
which ideas a message holds, alone and in pairs, besides its words: it learns "a request, an
image and undress from the suspect" once, and then knows it in words it never saw together.

Lookups are by word, and by phrase only from a word that starts one, in one dictionary: a few
microseconds a message, so the ideas can be read on every message of a stream. The rules
(RULES) say which ideas together show a flag; data/detect/probes.txt checks them line by line.
"""

from __future__ import annotations

import itertools
import re

from tipline.detect.normalise import normalise

# One line per idea: the words and phrases that carry it. A phrase may hold several ideas (a
# "nude" is both an image and undress): list it under each.
_IDEAS: dict[str, str] = {
    # Asking for something to be sent or shown.
    "ASK": """send, sending, show, gimme, give, drop, take, dm, text, let me see, lemme see,
        can i see, could i see, can i get, wanna see, want to see, need to see, dying to see,
        show me, send me, snap me, drop me, text me, trade, manda, mandame, mandas, envia, enviame,
        envias, pasa, pasame, pasas, muestra, muestrame, ensename, ensena, regalame, quiero ver,
        dejame ver, me dejas ver, puedo ver, sacate, tomate, tell me, read me, give me, whats your,
        what is your, whats the, what is the, i need, i want, quiero, necesito, dame, dime, cual es,
        buy me, get me, pay me, transfer, transfiere, transfiereme, deposita, depositame, pagame,
        comprame, record, graba, grabate, haz, hazme, got any, have any, any pics, can you send,
        mandarme, can you take, could you take, will you send, would you send, you should send,
        u should send, send over, shoot me, hit me with, i wanna see, show me what, can i have,
        lemme get, me mandas, me pasas, me envias, me ensenas, quiero que me mandes, a ver,
        muestrame como, prove it, prove, prove you are, for me, para mi, porfa, pls, plz,
        dejame verte, quiero verte, verte, we need, necesitamos, hagamos, lets both, we both,
        got a pic, got a picture, you got a pic, have a pic,
        your turn, its your turn, now its your turn, te toca, ahora te toca,
        entertain me, entertain me with, entretenme,
        me das, me des, me vas a dar,
        lmk, let me know""",
    # An image or a recording of the child.
    "IMAGE": """pic, pics, pix, picture, pictures, photo, photos, selfie, selfies, snaps, snapshot,
        vid, vids, video, videos, clip, clips, recording, nudes, nude, noodz, nudez, mirror pic,
        foto, fotos, imagen, imagenes, pack, packs, selfi, tu pack, n00dz, noods, n00ds,
        that call, the call, the video call, la llamada, la videollamada, the recording,
        la grabacion,
        content, some content, contenido, premium content, contenido premium""",
    # Clothes coming off, or nearly none: the sexual setting of a request.
    "UNDRESS": """naked, nude, nudes, undressed, shirtless, topless, without your shirt,
        without your top, without clothes, no clothes, no shirt, shirt off, top off, clothes off,
        hoodie off, pants off, bra, underwear, boxers, panties, lingerie, bikini, swimsuit,
        bathing suit, in a towel, in your towel, just a towel, after your shower, in the shower,
        out of the shower, in bed, no pajamas, less clothes, nothing on, wearing nothing,
        not wearing, under your clothes, under the hoodie, under your shirt, whats under, desnuda,
        desnudo, desnudas, desnudos, sin ropa, sin blusa, sin camisa, sin playera, ropa interior,
        calzones, brasier, sosten, lenceria, en toalla, en la ducha, en la cama, poca ropa,
        undress app, nudify, without anything, with nothing on, nothing under, in just your, strip,
        undress, wearing less, less on, sin nada, quitate, sin brasier, en calzones, sin camiseta,
        encuerada, encuerado, wearing to bed, wear to bed, after you shower, out the shower,
        when you shower, skin, more skin, n00dz, noods, n00ds, pack, packs, tu pack, changing,
        getting changed, getting undressed, cambiandote, just a t-shirt, only a t-shirt,
        just a tshirt, solo una playera, you in the bath, you in the shower, debajo,
        lo que llevas debajo, debajo de tu ropa, que hay debajo, underneath, despues de banarte,
        al salir de banarte, banandote, en la regadera, bras, just bras, bikinis, swimsuits,
        bathing suits,
        below the belt, debajo del cinturon""",
    # Sexual in tone without naming a body or clothes.
    "SPICY": """naughty pic, naughty pics, something naughty, naughty one, spicy, sexy, dirty, lewd,
        nsfw, explicit, intimate, freaky, something special, something more, more of you,
        something no one, something nobody, picante, picantes, atrevida, atrevido, atrevidas,
        intima, intimas, algo mas, algo especial, algo picante, private pic, private pics,
        private photo, something private, algo privado, just for me, only for me, for my eyes only,
        you would not post, exclusive, solo para mi, what you sleep in, full body, everything,
        wouldnt show, only i get to see, only i can see, just for my eyes, would not show,
        would not send, would never post, something hot, algo hot, que no le mandes a nadie,
        no le mandes a nadie, what are you wearing, what r you wearing, que traes puesto,
        que llevas puesto, fotos privadas, foto privada, all of you, todo de ti, ver todo,
        youd never post, you would never post, never post, what do you sleep in, algo rico,
        you do not show anyone, you do not show, no one sees, que no subes, de las que no subes,
        las que no subes,
        where more shows, show more, more skin, donde se vea mas, se vea mas, mas piel,
        what you are working with, what your working with,
        private ones, more private ones, the private ones, unas privadas, las privadas,
        you can not post, the kind you can not post, cant post, can not post on,
        que no puedes subir, que no puedes publicar,
        what you are packing, what your packing, what ur packing, the rest of you,
        rest of you, el resto de ti, would not want your mom to see, wouldnt want your mom to see,
        would not want your parents to see, wouldnt want your parents to see,
        no le mandarias a tu mama, no le ensenarias a tu mama,
        premium page, premium content, exclusive content, contenido exclusivo, onlyfans,
        only fans, contenido premium""",
    "BODY": """your body, your chest, boobs, butt, private parts, tu cuerpo, tu pecho, your abs,
        your belly, your stomach, your hips, your curves, your figure, tu panza, your legs,
        your feet, your thighs, tus piernas, tus pies, tus muslos, pechos, senos, your butt,
        your boobs""",
    # Another place to talk.
    "APP": """snapchat, telegram, whatsapp, wasap, wsp, kik, wickr, signal, discord, insta,
        instagram, ig, skype, facetime, zoom, omegle, viber, wechat, threema, private chat,
        video call, videocall, cam, another app, other app, different app, videollamada, privado,
        chat privado, otra app, llamada, snap, somewhere private, somewhere else, otro lado,
        por whats, al whats, en whats, por wasap, por wsp,
        whats, vc, video chat, videochat, llamada de video,
        priv, priv chat, go priv, al priv""",
    "MOVE": """add me, hmu, hit me up, message me, text me, call me, find me, follow me, move,
        switch, go private, talk on, chat on, lets go, lets move, lets talk, continue on, jump on,
        hop on, download, install, join me, you got, do you have, u got, are you on, agregame,
        escribeme, hablame, buscame, sigueme, llamame, pasemos, hablemos, sigamos, vamonos,
        platiquemos, tienes, usas, dm me, instead, lets go to, go to, can we, we can talk,
        so we can talk, solos, solas, just us, alone, somewhere else, somewhere private,
        get the app, message me there, more active on, i do not use this app, barely use this,
        hablemos en otro lado, descarga, bajate, no uso esta app, pasate, pasate a, vente a,
        come to, ven a,
        slide into my dms, slide in my dms, into my dms, dm me on, my dms on, go priv""",
    # "Here is not safe": the reason given for moving.
    "WATCHED": """monitored, watched, not private, not safe, isnt private, isnt safe,
        saves everything, reads everything, disappear, disappears, nos leen, revisan, vigilan,
        graban, no es seguro, no es privado, se borra, safer, safer there, more private, mas seguro,
        mas privado,
        without mods, without the mods, no mods, away from the mods, mods can not see,
        sin moderadores, sin los moderadores,
        nos pueden leer, pueden leer, aqui nos leen, aqui revisan, deletes stuff""",
    # A trade: "I'll go first", "fair is fair".
    "TRADE": """ill show you, ill send you, ill go first, i go first, fair trade, trade, swap,
        exchange, your turn, ur turn, fair is fair, only fair, one for one, mine for yours,
        ill send one first, i showed you mine, you show me, show me yours, one of yours, yo primero,
        te toca, yo te mando, yo te muestro, intercambio, trato, cambiamos, ahora tu,
        send me one back, send one back, i already sent you one, one of me first, i show you,
        show you mine, mine first, send one first, i will start, intercambiemos, intercambiamos,
        exchange photos, swap pics, i will send you one too, i will send one back, you first,
        i sent you mine, i already showed you, your turn now, now send yours, send yours,
        it is only fair, yo te mando una tambien, tu primero, ya te mande la mia, manda la tuya,
        ahora te toca, te paso una mia, una mia si, so we are even, we are even, estamos a mano""",
    # Money, a payment app, an amount.
    "MONEY": """the money, some money, money to, money or, money by, money now, money today,
        money tonight, more money, enough money, send money, cash, bucks, dollars, dollar, usd,
        euros, gift card, gift cards, giftcard, steam card, steam cards, amazon card, amazon cards,
        apple card, apple cards, google play, itunes, bitcoin, btc, crypto, usdt, ethereum, robux,
        vbucks, cash app, cashapp, venmo, paypal, zelle, apple pay, chime, western union, moneygram,
        pay, pay me, dinero, plata, lana, feria, dolares, pesos, soles, tarjeta de regalo,
        tarjetas de regalo, transferencia, deposito, oxxo, mercado pago, nequi, bizum, pagar, pagas,
        pagues, pagame, how much money, depositas, depositar, depositame, me depositas, transfieres,
        recarga, saldo,
        the payment, payment, pay me, pay up, pay now, pay and, pago, el pago, paga y, pagame,
        paga ya, steam cards, steam card, gift card codes, the codes,
        recarga, recarga de saldo, saldo, tarjeta de regalo,
        varo, guita, pasta, billete, billetes, mil pesos, dos mil, 2 mil, 1k, 2k, 5k""",
    # When: the clock a demand puts on the child.
    "DEADLINE": """tonight, today, now, right now, rn, by midnight, midnight, hours, minutes, asap,
        hurry, by tomorrow, before school, deadline, clock, hoy, ahora, ya, esta noche, medianoche,
        horas, minutos, rapido,
        before you sleep, before bed, antes de dormir, by tonight, by the morning, para manana,
        tick tock, tic tac, clock is ticking, waiting, im waiting, te estoy esperando,
        antes de las, before 10, before 11, before 9, antes de mediodia""",
    # Those who would see: followers, family, school.
    "AUDIENCE": """followers, friends, friend list, family, parents, mom, mum, dad, uncle, grandma,
        brother, sister, school, class, classmates, teachers, teacher, coach, team, church,
        contacts, everyone, everybody, the internet, online, reddit, group chat, boyfriend,
        girlfriend, principal, seguidores, amigos, amigas, familia, papas, padres, mama, papa, tia,
        tio, escuela, colegio, clase, companeros, profes, profesores, maestra, maestro, todos,
        todo el mundo, contactos, redes, internet, everywhere, all over, the whole school, page,
        every site, every website, all over the internet, todas las paginas,
        salon, el grupo de tu salon, tu clase, companeros,
        abuela, abuelo, grandpa, pastor, iglesia""",
    # Making it public.
    "PUBLISH": """post, posted, share, leak, expose, spread, upload, forward, sell, release,
        send it, send them, publish, publico, publicar, subo, subir, comparto, compartir, filtro,
        filtrar, difundo, difundir, mando, mandar, tag, tagging, subirlas, subirla, mandarlas,
        mandarla, publicarlas, publicarla, pasarlas, enviarlas, paso, envio, muestro,
        lo que me mandaste, sending, sending it, i am sending,
        viral, go viral, make you viral, make it viral, hacerte viral, hacer viral, lo hago viral,
        goes out, gets out, sale a la luz,
        exhibo, te exhibo, exhibir, exhibirte, te quemo, quemarte, te balconeo, balconear""",
    # The condition that makes a sentence a threat.
    "CONDITION": """or else, unless, or, if you dont, if u dont, otherwise, si no, sino, o si no,
        a menos que, imagine if, what if, imagina si, que tal si""",
    # Holding something of the child's.
    "HOLD": """i have your, i got your, i saved, screenshot, screenshots, screenshotted, i recorded,
        recorded you, i kept, i still have, already have, you already sent, you sent me, i have it,
        now i have, tengo tus, tengo tu, guarde, grabe, captura, capturas, i have all your,
        i downloaded, downloaded your, lo que me mandaste, what you sent me, the video you sent,
        the pic you sent, still saved, is still saved, screen recording, the recording,
        recorded everything, te grabe, grabe todo, la grabacion,
        tengo todo grabado, tengo grabado, lo tengo grabado, te tengo grabado, lo grabe todo""",
    # Making fake images.
    "FAKE": """ai, artificial intelligence, deepfake, deep fake, edit, edited, editing, photoshop,
        faceswap, face swap, your face on, morph, generate, generated, fake nudes, make fake,
        inteligencia artificial, ia, editar, edito, editada, montaje, tu cara, falso, falsa,
        put your face, undress app, nudify, makes you look naked, make you look naked,
        make it look like you, look like you, turn your, fake pics, fake photos, fotos falsas,
        parezca que eres tu, editar tus fotos, ai pics, ai nudes, ai photos, photoshopped, edit you,
        make pics of you, make a video of you, hacer fotos tuyas, con ia,
        doing stuff you never did, things you never did, cosas que nunca hiciste""",
    # Getting into an account, said as done.
    "INTRUDE": """got into, logged into, logged in to, hacked, broke into, im in your,
        i can see your, accessed, entre a tu, me meti a tu, me meti en tu, hackee, tengo acceso,
        got access, have access, i can see everything, access to your, acceso a tu,
        entre con, entre en tu, ya entre, got in with, logged in with, i got in,
        already in your, i am in your, i know your password, your password is,
        i know your pin, ya estoy en tu, se tu contrasena, tu contrasena es""",
    # An account, or what a login guards.
    "ACCOUNT": """account, icloud, cloud, google drive, camera roll, saved memories, memories,
        gallery, backup, my eyes only, email, cuenta, nube, galeria, correo, google photos,
        photos app, your phone, your snap, your instagram, your insta, your email, your gallery,
        el instagram, tu instagram, tus mensajes, mensajes privados, your private messages""",
    "CREDENTIAL": """password, passwords, passcode, login code, log in code, verification code,
        security code, 6 digit code, six digit code, 2fa, otp, the code, that code, contrasena,
        clave, codigo, el codigo, codigo de verificacion, login, your login, log in, pin,
        the 6 digit code, code they sent""",
    # Pressure for more of the same.
    "MORE": """another, one more, longer, otro, otra, otros, otras, de nuevo, otra vez, this time,
        a new one, a better one, better one, keep sending, i want more, uno mas, una mas,
        quiero mas, clearer, closer, with your face, show your face, your face in it, con tu cara,
        que se vea tu cara, en video, on video, keep going, every night, every day, cada noche,
        cada dia, todas las noches, do it again, send it again, again on, it again, doing it again,
        send more, more pics, more photos, more videos, more vids, some more, more like,
        more like that, more of them, more of those, want more, need more, 2 more, 3 more, two more,
        three more, more now, more tonight, and more, manda mas, mandame mas, mas fotos, mas videos,
        necesito mas, otra mas""",
    # Praise that makes a child feel older or chosen.
    "FLATTER": """mature, grown up, older than, so pretty, beautiful, gorgeous, cute, handsome,
        special, different, not like other, for your age, perfect, amazing, madura, maduro, bonita,
        hermosa, guapa, guapo, linda, lindo, especial, diferente, para tu edad, more mature,
        so special, special to me, different from other, different from the other, other girls,
        other boys, the kids at your school, eres especial, eres diferente, cooler than,
        better than anyone, more than anyone, prettier, cuter, hotter, prettier than,
        mas bonita que, mas linda que,
        than most adults, than a lot of adults, than most grown ups, than adults,
        que muchos adultos, que la mayoria de los adultos,
        better than the other kids, better than other kids, way better than, mucho mejor que,
        pareces de 18, pareces mayor, pareces de mas edad, como toda una mujer,
        como todo un hombre, no como una nina, no como un nino, re madura, re maduro,
        super madura, super maduro, madurita, madurito""",
    "AFFECTION": """love you, i love, miss you, my girl, my boy, babe, baby, crush, only one,
        te amo, te quiero, te extrano, mi amor, bebe, novia, novio, pienso en ti, i love you""",
    # Keeping it from the adults around the child.
    "SECRET": """dont tell, do not tell, our secret, keep it private, delete our chat,
        delete the messages, nobody has to know, no one has to know, dont tell your, wouldnt get it,
        wouldnt understand, they check your phone, nuestro secreto, no le digas, no digas,
        entre nosotros, entre tu y yo, borra los mensajes, no le cuentes, delete our messages,
        delete the chat, delete this chat, our messages after, you can trust me,
        confia en mi, puedes confiar en mi, nobody understands you, no one understands you,
        nadie te entiende, do not mention me, do not let your parents see, delete this,
        hide the app, no one needs to know, keep this quiet, between you and me, our little secret,
        borra esto, esconde la app, que nadie se entere, nadie tiene que saber, no need to tell,
        do not need to tell, no tienes que decirle, no parents, without your parents, sin tus papas,
        sin papas, keep it secret, keep this secret, keep a secret, can you keep a secret,
        its a secret, just between us, stays between us, keep it between us, es un secreto,
        nobody understands you like i do, nadie te entiende como yo, no se enteren tus papas,
        borra la conversacion, guardame el secreto, no digas nada, no le ensenes esto,
        delete this after, delete this after you read it, borra nuestro chat,
        borra nuestros mensajes, que no se enteren tus papas,
        no need to involve your parents, do not involve your parents, leave your parents out,
        keep your parents out, no need for your parents, sin decirle a tus papas,
        no hace falta que sepan tus papas, no metas a tus papas,
        nobody has to find out, no one has to find out, no one needs to find out,
        nadie se tiene que enterar, turn on disappearing messages, disappearing messages on,
        vanish mode, activa los mensajes temporales, mensajes temporales,
        entre nos, queda entre nos, queda entre nosotros, borra el chat, borra el chat cuando,
        ni a tu mejor amiga, no le digas a tu mejor amiga, nadie mas tiene que saberlo,
        nadie tiene que saberlo, nadie tiene que saber, no le cuentes a tus viejos,
        no le digas a tu vieja, no le digas a tu viejo""",
    # Gifts that buy trust.
    "GIFT": """buy you, get you, i will buy you, i will get you, a new phone, te compro, te regalo,
        te doy, give you, i will give you,
        christmas present, early christmas present, birthday present, regalo de navidad,
        gift you, i can gift, i will gift, gift u, sugar daddy, sugar mommy, sugar baby,
        i pay, te regalo robux, te regalo pavos,
        si me sigues hablando, if you keep talking to me, if you keep talking""",
    # Modelling, scouting, paid shoots.
    "SCOUT": """model, models, modeling, modelling, agency, scout, scouting, talent, casting,
        portfolio, ambassador, sponsor, test shots, agencia, modelos, modelo, cazatalentos,
        be a model, posing, influencer, brand deal, sponsored, paid collab, book you, headshots,
        comp card, talent search, scouting for, sesion pagada, colaboracion, patrocinio,
        recruiter, reclutador, reclutadora, visor, ojeador, scout for a club,
        creator fund, creator program, programa de creadores""",
    # Having looked at the child's profile.
    "SEEN": """saw, seen, found, checked out, looked at, been looking at, noticed, loved, liked, vi,
        he visto, me gusto, me gustaron, revise, encontre, saw on your, i know your, i follow your,
        conozco a tu, vi tus, sigo a tu, i saw you, i have seen you, recognized you, recognised you,
        te vi, te reconoci, you are the one, you were at, you were in, i know you from,
        te conozco de, been following, following your, te sigo, sigo tu""",
    # Being singled out: "to me", "from the others".
    "SPECIAL": """from other, from the other, other girls, other boys, the others, like the others,
        a las demas, a los demas, than anyone, que las de, que los de, than the girls,
        than the kids, than the other, than any girl, than any boy, than any, than all the, a todas,
        a todos, que todas, que todos, a las otras, especial para mi""",
    # Details from the child's profile.
    "PROFILE": """your instagram, your insta, your tiktok, tu insta, tu instagram, tu tiktok,
        de instagram, on instagram, de tus seguidores, from your followers, your profile, your bio,
        your story, your stories, your posts, your feed, your page, your reels, your highlights,
        your videos, your pics, tu perfil, tu historia, tus historias, tus publicaciones, tus fotos,
        tus videos, profile, bio, story, stories, posts, feed, page, tiktok, reels, highlights,
        perfil, historia, historias, publicaciones,
        el face, tu face, facebook, your facebook, tu facebook, your fb, fb""",
    "CHILDLIFE": """school, middle, high school, grade, class, team, practice, game, recital,
        tournament, band, cheer, varsity, club, dog, cat, puppy, pet, coach, escuela, colegio,
        secundaria, prepa, grado, clase, equipo, entrenamiento, partido, perro, gato, futbol,
        you go to, high, play for, you play, juegas en, vas a, track, track meet, science fair,
        skate park, results,
        choir, church, church group, youth group, orchestra, robotics, coro, iglesia,
        banda de la escuela, grupo de jovenes, orquesta,
        torneo, esports, voley, volley, volleyball, basquet, basketball,
        server, roblox, obby, minecraft, fortnite, goalie, portero, sub 15, sub 17""",
    # Another account, another name.
    "PERSONA": """new account, other account, backup account, my backup, alt, alt account,
        second account, fake account, friends account, his account, her account, cousins account,
        blocked me, you blocked, unblock me, otra cuenta, nueva cuenta, mi otra cuenta,
        me bloqueaste, bloqueaste, told you my name, my name was, thought your name was,
        te llamabas, new number, its me from before, its me again, my other profile, other profile,
        my cousin wants to, my friend will text you, wants to message you, this is his friend,
        from my account, its still me, i am back, can not block me, can not escape me,
        lots of accounts, many accounts, i made another, new profile, block me all you want,
        soy yo otra vez, sigo siendo yo, no puedes bloquearme, tengo muchas cuentas, cree otra,
        otro perfil, nuevo perfil, esta es la cuenta de, desde la cuenta de, en la cuenta de mi,
        friends phone, my friends phone, cousins phone, my brothers phone, telefono de mi, new acc,
        new acct,
        using mine to talk, using mine to text, using my phone to talk, using my phone to text,
        using his phone to, using her phone to, talking for him, talking for her, he is using mine,
        she is using mine, hes using mine, shes using mine, esta usando el mio, usa mi celular,
        habla desde mi celular,
        blocking me does nothing, blocking me will not help, blocking me wont help,
        blocking me will not work, like 5 accounts, 5 accounts, bloquearme no sirve,
        tengo varias cuentas, el mismo de antes, la misma de antes, cambie de perfil,
        cambie de cuenta""",
    # Age, and the life of an adult.
    "AGE": """years old, yo, year old, yr old, age, my age, your age, edad, anos, tenias,
        than most adults, than a lot of adults, than most grown ups, than adults,
        que muchos adultos, que la mayoria de los adultos,
        like an adult, like a grown up, como un adulto, como una adulta, como adulto,
        pareces de 18, pareces mayor, pareces de mas edad, como toda una mujer,
        como todo un hombre, no como una nina, no como un nino""",
    "GROWN": """my wife, my husband, my kids, my job, at work, my boss, my car, my truck, mortgage,
        grown man, adult man, mi esposa, mi esposo, mi trabajo, mi jefe""",
    # Recalling what someone said of themselves.
    "SAID": """you said, u said, you told me, thought you were, you claimed, your profile says,
        dijiste, me dijiste, decias""",
    "BUT": """but, and now, yet, then why, pero, y ahora, entonces por que""",
    "SEX": """a girl, a boy, girl, boy, a guy, a man, a woman, una chica, un chico, mujer,
        hombre""",
    # The child's fear and despair.
    "FEAR": """so scared, im scared, really scared, scared to death, terrified, panic, panicking,
        shaking, cant breathe, cant stop crying, been crying, keep crying, freaking out, no way out,
        my life is over, end it, kill myself, want to die, better off dead, wish i was dead,
        dont want to live, hurt myself, tengo miedo, mucho miedo, asustada, asustado, temblando,
        estoy temblando, no hay salida, no puedo respirar, llorando, no tengo salida,
        me quiero morir, no quiero vivir, matarme, acabar con todo, can not do this anymore,
        do not want to be here, want to disappear, just want to disappear, ya no puedo mas,
        no puedo mas, will hate me, me van a odiar, hate me, no aguanto, feel like dying,
        i feel like dying, crying so hard,
        thinking about ending it, ending it all, end my life, ending my life,
        take my life, quitarme la vida, me voy a quitar la vida, hyperventilating,
        panic attack, ataque de panico, ataque de ansiedad, nobody can help me,
        no one can help me, hopeless, its hopeless, nadie me puede ayudar, no tiene caso,
        rather die, would rather die, id rather die, prefiero morir, prefiero morirme,
        no le veo sentido, no tiene sentido vivir, no point anymore, there is no point,
        quisiera desaparecer, desaparecer para siempre, disappear forever, cut myself,
        me quiero cortar, cortarme""",
    # Pleading, which is not distress (RED-FLAGS.md): in no rule, but the second stage reads it.
    "PLEAD": """please, stop, leave me alone, dont do this, ill do anything, im sorry, por favor,
        dejame en paz, no lo hagas, perdon""",
    # A threat's verb: what the suspect will do.
    "WILL": """i will, ill, gonna, going to, im going to, watch me, then, voy a, te voy a, le voy a,
        se las, se los, se la, se lo""",
    # What the suspect will make of the child's life.
    "RUIN": """ruin your life, ruin you, destroy you, destroy your life, your life is over,
        arruinar tu vida, arruinar la vida, arruino la vida, arruinarte, te voy a arruinar""",
    # The lists a threat names: a screenshot of them is the threat itself.
    "LIST": """followers, follower list, followers list, friends list, friend list, following,
        contacts, contact list, seguidores, contactos, lista de amigos, tus amigos,
        my list, on my list, mi lista, en mi lista""",
    # Asking how much the child has, or can get.
    "HOWMUCH": """how much money do you have, how much do you have, how much can you send,
        how much can you get, how much can you pay, cuanto dinero tienes, cuanta plata tienes,
        cuanta lana tienes, cuanto tienes, cuanto puedes mandar""",
    # Being on camera, live.
    "LIVE": """on cam, on camera, get on cam, live, go live, en vivo, por camara, en camara""",
    # Obedience demanded: in no rule ("do what I say" is not a demand for pictures), but the
    # second stage reads it.
    "OBEY": """what i say, what i tell you, do as i say, what i want, lo que yo diga,
        lo que te diga, lo que te pida, lo que quiera""",
    # Offering to make the child a model.
    "OFFER": """paid shoot, get paid, paid for posing, you could be, you should be, podrias ser,
        puedes ser, you have the look, no experience needed, get you a contract, i am a scout,
        i am with a, soy de una, fotos de prueba, test shots, new face, looking for girls,
        looking for boys, buscamos chicas, buscamos chicos, paid,
        i can get you, te puedo conseguir, get you a tryout, una prueba, a tryout,
        a trial, te consigo,
        get you followers, get you 10k followers, 10k followers, grow your account,
        hacerte famosa, hacerte famoso, crecer tu cuenta, te consigo seguidores""",
    # The child catching a lie about age or sex.
    "SLIP": """way older than, sound like an adult, sounds like an adult, look like an adult,
        sound like a man, sounds like a man, like a grown man, looks fake, not you in, someone else,
        reverse image, have a car, you drive, but you drive, pareces mucho mayor, no eres tu en,
        suena de adulto, voz de adulto,
        a grown mans, grown mans, was a grown man, stock photo, thats not you, that is not you,
        se oyo un senor, voz de senor, era un senor, esa no eres tu, ese no eres tu""",
    # A deepfake named.
    "DEEPFAKE": """deepfake, deep fake, deepfakes, nudify, undress app,
        clothes remover, clothes remover bot, undress bot, nudify bot, remover de ropa,
        quita ropa, app que quita la ropa""",
    # Nobody will know it is fake.
    "NOONEKNOWS": """nobody will know, no one will know, nobody would know, nadie va a saber,
        nadie sabra, nobody will believe, no one will believe, will look real, looks real,
        look real, se ve real, parece real, nadie va a creer, nadie te va a creer""",
    # Knowing where the child is.
    "KNOWWHERE": """i know where you live, i know where you go to school, se donde vives,
        se donde estudias""",
    # Spanish verbs carrying the images with them: upload them, send them.
    "PUBLISHTHEM": """subirlas, subirla, subirlos, mandarlas, mandarla, publicarlas, publicarla,
        pasarlas, enviarlas, mostrarlas, ensenarlas""",
    # The bond a groomer builds: understood, cared for, set apart from the adults.
    "BOND": """i care about you, i am here for you, here for you, you deserve better,
        too good for them, they do not appreciate you, do not appreciate you, so easy to talk to,
        easy to talk to, we have so much in common, so much in common, my favorite person,
        never felt this way, understand you better, you can tell me anything, tell me anything,
        i would never hurt you, never hurt you, never judge you, your parents are too strict,
        too strict, they treat you like a kid, treat you like a baby, you are not a kid,
        you are not a little kid, our thing, our little thing, just between us, me importas,
        estoy aqui para ti, aqui para ti, te mereces algo mejor, tenemos mucho en comun,
        mi persona favorita, nunca senti esto, puedes contarme todo, nunca te haria dano,
        tus papas son muy estrictos, muy estrictos, te tratan como nina, te tratan como nino,
        no eres una nina, no eres un nino, you are mine, you belong with me, meant to be,
        i would do anything for you, you act older, i wish we met, you make me happy,
        i can not live without you, promise you will not tell, promise me, my princess, my world,
        eres mia, eres mio, no puedo vivir sin ti, prometeme, eres mi princesa, eres mi mundo,
        me haces feliz, love you so much already, i think about you all day,
        thinking about you all day, can not stop thinking about you, soulmate, soulmates,
        never met anyone like you, no one like you, nobody like you, most mature, me encantas,
        nadie como tu, talk to me about anything, you can talk to me, good listener,
        puedes hablarme de lo que sea, puedes hablar conmigo, get you like i do, gets you like i do,
        understands you like i do, knows you like i do, te entiende como yo, te conoce como yo,
        te entienden como yo, do not get you like i do, do not understand you like i do,
        do not know you like i do, no te entienden como yo, no te entiende como yo,
        only one i can talk to, the only one i can talk to, never connected with anyone,
        connected with anyone like this, wise beyond your years, beyond your years,
        older than your age, act so much older, they do not deserve you, do not deserve you,
        i will always protect you, always protect you, i will protect you, i will take care of you,
        you are the only one for me, lo mejor que me ha pasado, me gustas mucho, eres perfecta,
        eres perfecto, no pareces de tu edad, piensas como adulta, piensas como adulto,
        como alguien mas grande, no hay nadie como tu, eres unica, eres unico, solo yo te entiendo,
        siempre voy a estar para ti, estoy enamorado de ti, estoy enamorada de ti,
        quiero ser tu novio, quiero ser tu novia, que linda eres, estas preciosa, que bonita eres,
        eres hermosa, eres preciosa, tus papas no te dejan, no te dejan hacer nada, no te merecen,
        eres la unica para mi, eres el unico para mi, pienso en ti todo el dia,
        you can always vent to me, vent to me, desahogate conmigo, we had something special,
        i thought we had something, pense que teniamos algo, only one i can really talk to,
        promise you will not leave me, do not leave me, no me dejes, your parents do not get you,
        your parents do not understand you, your friends do not get you,
        your friends do not really get you, not like i do, tus papas no te entienden,
        tus amigas no te entienden, tus amigos no te entienden, yo si te entiendo,
        nadie te va a querer como yo, como yo te quiero, no te valoran como yo,
        tus padres no te valoran, lo mas lindo que me ha pasado, contigo puedo hablar de todo,
        con los de mi edad no, mi nina especial, mi nino especial,
        nobody will love you like i do, no one will love you like i do,
        your parents do not appreciate you,
        stuff you can not tell your parents, things you can not tell your parents,
        stuff you cant tell your parents, things you cant tell your parents,
        lo que no le puedes decir a tus papas, cosas que no le dices a tus papas""",
    # The details of the child's own life, said to them.
    "YOURLIFE": """your team, your school, your dog, your cat, your puppy, your pet, your sister,
        your brother, your mom, your dad, your friends, your bff, your best friend, your class,
        your game, your games, your recital, your practice, your coach, your birthday, your dance,
        your dance videos, your band, your match, your braces, your grade, tu equipo, tu escuela,
        tu colegio, tu perro, tu perrita, tu gato, tu hermana, tu hermano, tu mama, tu papa,
        tus amigas, tus amigos, tu mejor amiga, tu clase, tu partido, tu cumple, tu baile,
        tus bailes, your volleyball, your soccer, your swim, your teammates, your squad, your cheer,
        your gym, your studio, your church, your neighborhood, your town, tu voley, tu futbol,
        tus companeros, your cousin, your cousins, tu primo, tu prima""",
    # Congratulations on something the child did.
    "CONGRATS": """congrats, congratulations, nice game, great game, good game, you were amazing,
        felicidades, felicitaciones, buen partido, did not you win, you won the, ganaste""",
    # Never enough: what was sent does not end it.
    "NOTENOUGH": """not enough, that is not enough, not done, not done with you, i am not done,
        no es suficiente, no basta, no he terminado, no he acabado""",
    # Pornography named: what a fake would be made into.
    "PORN": """porn, porno, video porno, sex video, sex tape""",
    # Measurements a scout asks for.
    "MEASURE": """measurements, your measurements, your height and weight, how tall are you,
        tus medidas, medidas, cuanto mides""",
    # A way to reach the child elsewhere.
    "CONTACT": """your number, your phone number, your cell, your snap, your snapchat,
        your whatsapp, your telegram, your kik, your discord, your signal, tu numero, tu cel,
        tu celular, tu snap, tu whats, tu whatsapp, tu telegram, tu wsp, heres my number,
        here is my number, mi numero,
        your @, your handle, your username, your user, your tag, tu usuario, tu @""",
    # Suggestive only beside a request for an image: "send a hot pic", not "send the hot sauce".
    "SUGGESTIVE": """hot, caliente, you have not posted, you never posted, you did not post,
        no subas, no has subido, turn around, lower the camera, bathroom selfie, mirror selfie,
        pajamas, pjs, pijama, en pijama, from your bed, in your bed, desde tu cama,
        under the blanket, under the covers, bajo las sabanas, lower, but lower, lock the door,
        door locked, door closed, in your room, lying down, laying down, en tu cuarto, acostada,
        acostado, one of those, those pics, those kind of pics, what kind of pic,
        you know what i want, you know what kind, de esas, esas fotos, ya sabes que, ya sabes cual,
        tight, the tight ones, gym clothes, leggings, yoga pants, ropa ajustada, licras""",
    # Reassurance that a picture is safe to send: alone, unseen, deleted.
    "UNSEEN": """are you alone, you alone, estas sola, estas solo, no one will see, nobody will see,
        no one else will see, it disappears, it will disappear, i will delete it, i delete it,
        nadie la va a ver, nadie lo va a ver, la borro, lo borro,
        just for me, just for him, only for me, only for him, solo para mi, solo para el""",
    # Shoots and deals: a scout's words, and a yearbook's too, so never enough alone.
    "SHOOT": """photographer, photo shoot, photoshoot, shoot, brand, contract, fotografo, sesion,
        contrato, marca, collab, promo, campaign, gig, booking, catalog, campana""",
    # Speaking to the child about the child.
    "YOU": """you, your, u, ur, yours, tu, tus, te, ti""",
    # Picking the child out of a picture.
    "IDENTIFY": """you are the girl, you are the boy, you are the one from, eres la de, eres el de,
        eres la chica, eres el chico, your the girl, your the boy, your the one,
        you are the one who, your the one who, are you the one who, are you the girl who,
        are you the boy who, are you the guy who, you are the girl who, you are the guy who,
        tu eres la que, tu eres el que, eres tu la que, eres tu el que, eres la que sale,
        eres el que sale, eres la que salio, eres el que salio,
        your the kid from, you are the kid from, are you the kid from, your the girl from,
        you are the girl from, your the guy from, you are the guy from, eres el nino de,
        eres la nina de, eres el chavo de, eres la chava de""",
    # Clothes, named.
    "CLOTHING": """shirt, top, hoodie, sweater, pants, shorts, dress, skirt, clothes, pajamas,
        jersey, uniform, playera, camisa, blusa, ropa, falda, pijama, sueter, shirts, tops, camisas,
        playeras,
        sudadera, chamarra, camiseta, sueter, hoodie, sweatshirt, jacket""",
    # Taking them off.
    "REMOVE": """without, without that, without the, lose the, take off, off, sin, sin la, sin el,
        quitate, quita""",
    # Something posted of the child.
    "POSTED": """posted, tagged, reposted, posted you, tagged you, subio, publico, te etiqueto,
        sube, publica, posts you, posts pics of you""",
    # Friends in common, counted.
    "MUTUAL": """mutuals, mutual friends, friends in common, amigos en comun,
        seguidores en comun""",
    # A promise that this one is the last.
    "LASTONE": """and i will stop, then i will stop, and i will leave you alone, and then i stop,
        y te dejo en paz, y te dejo, y ya, last one, the last one, la ultima, el ultimo""",
    # Or I...: the turn that makes a demand a threat.
    "ORI": """or i, or else i, o si no, o publico, o lo subo, o las subo, o la subo, o los subo""",
    # Pictures said to be owed: promised, still due.
    "OWED": """you owe me, you promised, you still owe me, me debes, prometiste, me prometiste""",
    # Found online: where details were studied.
    "ONLINE": """online, on insta, on instagram, on tiktok, on facebook, on snapchat, en internet,
        en insta, en tiktok, en facebook""",
    # Being seen by others: weaker than publishing, a threat only with a hard condition or with a
    # picture held.
    "SEENBY": """goes on, see it, see them, sees it, will see, get it, get them, la ven, lo ven,
        la vean, van a ver, see, sees, see everything, gets, get the, go on, ven, veran,
        see what you sent, saw, vio, viera,
        va a ver, lo va a ver, lo van a ver, la va a ver,
        going on, get a copy, gets a copy, una copia""",
    # A condition that leaves no doubt: not a bare 'or'.
    "STRONGIF": """or else, unless, if you do not, otherwise, si no, o si no, a menos que, or i,
        or everyone, or your, or all your, or they, o todos, o tus""",
    # The child's own people, named as theirs.
    "YOURAUDIENCE": """your followers, your friends, your family, your parents, your mom, your dad,
        your school, your class, your teachers, your coach, your contacts, your girlfriend,
        your boyfriend, everyone you know, all your, your whole school, your team, tus seguidores,
        tus amigos, tu familia, tus papas, tu mama, tu papa, tu escuela, tus contactos, tu novia,
        tu novio, todos tus, tus companeros, tu entrenador,
        tu salon, el grupo de tu salon, tu clase, tus companeros, tu grupo,
        your grandma, your grandpa, your aunt, your uncle, your church, your pastor,
        tu abuela, tu abuelo, tu tia, tu tio, tu iglesia""",
    # The child's pictures going to the child's people: "the pics go to your group chat", "tus
    # fotos van para tus contactos". A threat beside an image and a condition.
    "GOTO": """go to your, goes to your, going to your, get sent to your, gets sent to your,
        end up in your, end up with your, van para tus, van para tu, van a tus, se van a tus,
        llegan a tus, les llegan a tus, terminan en tu""",
    # The child's life said to the child: "you're on the westlake team", "tú juegas en el club".
    "YOUREON": """your on the, you are on the, your in the, you are in the, you play for,
        you play on, you swim for, you dance at, you skate at, you go to, tu juegas, juegas en,
        juegas voley, juegas futbol, juegas basquet, estudias en, vas en el, vas en la, bailas en,
        nadas en""",
    # A question tag asking the child to confirm: "...right?", "¿verdad?".
    "TAG": """right, verdad, cierto, correct, am i right, no es cierto""",
    # Pictures the child keeps hidden: "the kind you keep in your hidden folder".
    "HIDDEN": """hidden folder, hidden album, private album, private folder, my eyes only,
        hidden photos, hidden pics, keep hidden, keep in hidden, you keep private, vault,
        carpeta oculta, album oculto, album privado, fotos ocultas, que escondes,
        que tienes escondidas""",
    # Wanting pictures to stay private, the lever of a threat.
    "STAYPRIVATE": """stay private, stays private, to stay private, stay hidden, stay secret,
        want it private, want this private, que se quede privado, que quede privado,
        que siga privado, que nadie lo vea, que nadie las vea""",
    # Who watches over the child, probed: "do your parents check your phone?".
    "SUPERVISION": """do your parents check, your parents check your phone, check your phone,
        your parents go to bed, when are you home alone,
        home alone tonight, your parents asleep, are your parents asleep,
        se duermen tus papas, tus papas revisan, revisan tu celular, estas sola en casa,
        estas solo en casa, tus papas estan dormidos""",
    # Telling on the child: "or I'll tell your parents what you've been doing".
    "TELLON": """tell your parents, tell your mom, tell your dad, tell your school,
        tell your teacher, le digo a tus papas, le cuento a tus papas, les digo a tus papas,
        le digo a tu mama, le digo a tu papa, les cuento a tus papas""",
    # The ways a demand is paid: beside a dollar sum ("$250 on paypal") once a threat is seen.
    "PAYWAY": """paypal, cashapp, cash app, venmo, zelle, bitcoin, btc, crypto, gift card,
        gift cards, apple gift card, steam card, google play, western union, tarjeta de regalo,
        tarjetas de regalo, transferencia, oxxo""",
    # The child refusing what was asked: the reply tells what the request was ("that's creepy",
    # "i'm only 13", "no me siento cómoda").
    # (Addressed to the asker: "so creepy" is also what a teen says of a news story.)
    "REFUSE": """you are creepy, your creepy, you are a creep, you creep, you perv,
        you are a perv, you pervert, you are a pervert, not comfortable, im not comfortable,
        i am not comfortable, i do not do that, i do not do those, i do not send those,
        i do not send pics like that, not sending that, i am not sending that, im not sending that,
        why would i send that, why would i send you that, im only 13, i am only 13, im only 12,
        i am only 12, im only 14, i am only 14, im a minor, i am a minor, im underage,
        i am underage, blocking you, i am blocking you, im blocking you, telling my mom,
        i am telling my mom, im telling my mom, que asco, pervertido, pervertida, degenerado,
        no me siento comoda, no me siento comodo, no hago eso, no mando eso, no mando esas,
        no te voy a mandar eso, soy menor, solo tengo 13, solo tengo 12, solo tengo 14,
        te voy a bloquear, le voy a decir a mi mama, asqueroso""",
    # A picture asked for without the word: "send me one where more shows".
    "VAGUEPIC": """send me one, send one, take one, one of you, something of you, mandame una,
        manda una, una tuya, algo tuyo, una de ti""",
    # An adult's life, said back to the one who claimed to be a teen: "you talk about your job".
    "YOURGROWN": """your wife, your husband, your kids, your job, your boss, your car, your truck,
        tu esposa, tu esposo, tu trabajo, tus hijos, tu jefe, tu carro""",
    # The body's panic: distress once the conversation has shown a threat or a request (in
    # everyday talk, "i'm gonna pass out i'm so tired" is tiredness).
    "FAINT": """going to faint, gonna faint, about to faint, pass out, going to pass out,
        gonna pass out, desmayar, me voy a desmayar, throw up, going to throw up, gonna throw up,
        going to be sick, voy a vomitar, ganas de vomitar""",
    # A profile picture changed is not a profile made anew: "u look so different in ur new
    # profile pic".
    "PFP": """new profile pic, new profile picture, new pfp, your pfp, nueva foto de perfil,
        tu foto de perfil, profile pic, profile picture""",
    # To expose someone, in one verb: "te voy a funar", "te escracho", "expose you".
    "EXPOSE": """expose you, exposing you, te voy a funar, te funo, te escracho,
        te voy a escrachar, te exhibo, te voy a exhibir, te voy a quemar, te quemo""",
    # Paid for, the pictures go away: "send 500 and i delete everything".
    "DELETEDEAL": """i delete everything, i will delete everything, and i delete, i delete it all,
        and i will delete, i will delete it, delete everything, lo borro todo, y borro todo,
        y lo borro, borro todo, te lo borro""",
    # Any sum the child can find: "cashapp me what you have".
    "ANYSUM": """what you have, what you got, all you have, all you got, lo que tengas,
        todo lo que tengas, whatever you have, lo que puedas""",
    # Where the money should come from: "ask your parents", "find the money".
    "FINDMONEY": """find the money, get the money, ask your parents for, ask your mom for,
        ask your dad for, steal it, pidele el dinero, pidele a tus papas, consigue el dinero,
        busca el dinero, robalo, roba el dinero,
        consigueme, consigueme la plata, consigue la plata, consigueme el dinero""",
    # The law turned on the child: "you will go to jail", "registered sex offender".
    "LAWSCARE": """go to jail, going to jail, go to prison, sex offender, registered sex offender,
        child porn, child pornography, report you to the police, report you to police,
        call the police on you, you will be arrested, get arrested, ir a la carcel,
        vas a ir a la carcel, denunciar a la policia, te voy a denunciar, te denuncio,
        pornografia infantil, te van a arrestar, delincuente sexual""",
    # What the child will lose: a threat in the scripts' words.
    "CONSEQUENCE": """say goodbye to your, disown you, no college, your reputation, your future,
        your scholarship, you will regret, you are going to regret, tu reputacion, tu futuro,
        despidete de tu, te vas a arrepentir, te van a correr de tu casa""",
    # "You're next": others already paid or were exposed.
    "NEXT": """you are next, your next, you will be next, eres el siguiente, eres la siguiente,
        sigues tu, tu sigues""",
    # Claiming a meeting in person: a stranger's opener, "i think we met at the swim meet".
    # ("I saw you at the game, nice goal" is a schoolmate's praise: seeing is not meeting.)
    "METBEFORE": """i think we met, we met at, we met in, met you at, creo que nos conocimos,
        nos conocimos en, te conoci en""",
    # How the next picture should be better: the demand inside "another, closer".
    "BETTERSHOT": """closer, clearer, longer, mas cerca, mas largo, mas clara, with your face,
        con tu cara""",
    # "Now one...": the next picture after a first.
    "NOWMORE": """now one, now send one, now do one, now take one, ahora una, ahora manda una,
        ahora mandame una""",
}

# Which ideas together, in one message, show a flag: each flag's alternatives, every idea of
# one alternative present. Written from the definitions in shared/RED-FLAGS.md; the engine's
# guards (who speaks, reported speech, education, benign contexts) apply to these as to the
# patterns.
RULES: dict[str, tuple[tuple[str, ...], ...]] = {
    "social_media_reconnaissance": (
        ("PROFILE", "CHILDLIFE", "YOU"),
        ("SEEN", "PROFILE", "YOU"),
        ("SEEN", "YOURLIFE"),
        ("PROFILE", "YOURLIFE"),
        ("CONGRATS", "YOURLIFE"),
        ("IDENTIFY", "CHILDLIFE"),
        ("IDENTIFY", "IMAGE"),
        ("IDENTIFY", "POSTED"),
        ("MUTUAL",),
        ("YOURLIFE", "POSTED"),
        ("SEEN", "POSTED", "YOU"),
        ("SEEN", "ONLINE", "YOU"),
        ("METBEFORE", "CHILDLIFE", "YOU"),
        ("YOUREON", "CHILDLIFE", "TAG"),
        ("YOUREON", "CHILDLIFE", "SEEN"),
    ),
    "rapid_sexual_request": (
        ("ASK", "UNDRESS"),
        ("ASK", "IMAGE", "SPICY"),
        ("ASK", "SPICY"),
        ("ASK", "BODY"),
        ("ASK", "IMAGE", "SUGGESTIVE"),
        ("ASK", "IMAGE", "UNSEEN"),
        ("ASK", "REMOVE", "CLOTHING"),
        ("OWED", "IMAGE"),
        ("TRADE", "UNDRESS"),
        ("TRADE", "REMOVE", "CLOTHING"),
        ("UNDRESS", "UNSEEN"),
        ("ASK", "HIDDEN"),
        ("TRADE", "HIDDEN"),
        ("TRADE", "SPICY"),
        ("LIVE", "SUGGESTIVE"),
    ),
    "platform_migration": (("MOVE", "APP"), ("APP", "WATCHED"), ("ASK", "CONTACT")),
    "reciprocation": (("TRADE",),),
    "fake_modeling_agency": (
        ("SCOUT", "MONEY"),
        ("SCOUT", "FLATTER"),
        ("SCOUT", "OFFER"),
        ("SCOUT", "UNDRESS"),
        ("OFFER", "UNDRESS"),
        ("SCOUT", "ASK"),
        ("SCOUT", "MEASURE"),
        ("SCOUT", "SHOOT"),
        ("SHOOT", "OFFER"),
        ("SHOOT", "UNDRESS"),
        ("SHOOT", "MONEY"),
    ),
    "relationship_building": (
        ("FLATTER", "AGE"),
        ("SECRET",),
        ("AFFECTION", "FLATTER"),
        ("AFFECTION", "SECRET"),
        ("FLATTER", "SPECIAL"),
        ("BOND",),
        ("GIFT", "MONEY"),
        ("SUPERVISION",),
    ),
    "multiple_identities": (("PERSONA",),),
    "identity_misrepresentation": (
        ("SAID", "AGE", "BUT"),
        ("SAID", "SEX", "BUT"),
        ("SAID", "GROWN"),
        ("SAID", "YOURGROWN", "BUT"),
        ("SLIP",),
    ),
    "account_compromise": (
        ("ASK", "CREDENTIAL"),
        ("INTRUDE", "ACCOUNT"),
        ("HOLD", "ACCOUNT"),
        ("INTRUDE", "CREDENTIAL"),
    ),
    "deepfake_threat": (
        ("FAKE", "UNDRESS"),
        ("FAKE", "IMAGE", "WILL"),
        ("FAKE", "IMAGE", "CONDITION"),
        ("DEEPFAKE",),
        ("FAKE", "PORN"),
        # (The fake first: its words start the evidence, so "...u never did" before "nobody
        # will know" is not read as negating it.)
        ("FAKE", "NOONEKNOWS"),
    ),
    "sextortion_threat": (
        ("PUBLISH", "AUDIENCE", "CONDITION"),
        ("ORI", "PUBLISH"),
        ("PUBLISH", "AUDIENCE", "HOLD"),
        ("PUBLISH", "YOURAUDIENCE", "WILL"),
        ("SEENBY", "AUDIENCE", "STRONGIF"),
        ("SEENBY", "YOURAUDIENCE", "HOLD"),
        ("HOLD", "AUDIENCE", "STRONGIF"),
        ("HOLD", "LIST"),
        ("RUIN",),
        ("KNOWWHERE",),
        ("PUBLISHTHEM", "YOURAUDIENCE"),
        ("IMAGE", "GOTO", "CONDITION"),
        ("IMAGE", "GOTO", "STRONGIF"),
        ("HOLD", "GOTO"),
        ("NEXT", "LIST"),
        ("STAYPRIVATE", "OBEY"),
        ("HOLD", "OBEY"),
        ("LAWSCARE", "WILL"),
        ("EXPOSE", "AUDIENCE"),
        ("IMAGE", "ORI", "TELLON"),
        ("LAWSCARE", "SEENBY"),
        ("CONSEQUENCE", "PUBLISH"),
        ("CONSEQUENCE", "SEENBY"),
        ("CONSEQUENCE", "LIST"),
        ("CONSEQUENCE", "HOLD"),
    ),
    "financial_demand": (
        ("MONEY", "DEADLINE"),
        ("MONEY", "CONDITION"),
        ("ASK", "MONEY"),
        ("HOWMUCH",),
        ("MONEY", "AMOUNT"),
        ("MONEY", "NEXT"),
        ("MONEY", "DELETEDEAL"),
        ("AMOUNT", "DELETEDEAL"),
    ),
    "content_demand": (
        ("MORE", "IMAGE", "CONDITION"),
        ("MORE", "IMAGE", "DEADLINE"),
        ("ASK", "MORE"),
        ("MORE", "IMAGE"),
        ("MORE", "DEADLINE"),
        ("LIVE", "DEADLINE"),
        ("LIVE", "CONDITION"),
        ("NOTENOUGH",),
        ("NOWMORE", "UNDRESS"),
        ("MORE", "BETTERSHOT"),
        ("TRADE", "ORI"),
        ("MORE", "LASTONE"),
        ("ASK", "IMAGE", "GOTO", "CONDITION"),
        ("ASK", "IMAGE", "GOTO", "STRONGIF"),
        ("OWED", "MORE"),
        ("MORE", "HIDDEN"),
    ),
    "victim_distress": (("FEAR",),),
}
# Rules that hold only once the conversation has shown what it is about (a sexual request, a
# picture held, a threat): "your school will see it tonight", "ask your parents for it", "pay
# and this stays between us" are everyday words anywhere else.
IN_CONTEXT: dict[str, tuple[tuple[str, ...], ...]] = {
    "sextortion_threat": (
        ("YOURAUDIENCE", "SEENBY"),
        ("CONSEQUENCE",),
        ("LAWSCARE",),
        ("PUBLISH", "YOURAUDIENCE"),
    ),
    "victim_distress": (("FAINT",),),
    "financial_demand": (
        ("FINDMONEY",),
        ("MONEY", "ANYSUM"),
        ("MONEY", "SECRET"),
        ("PAYWAY", "DOLLARS"),
        ("AMOUNT", "STRONGIF"),
        ("AMOUNT", "DEADLINE"),
    ),
}
# Alternatives whose ideas must come in the order listed: "saw ... your mom" is the child's life
# found online, "the agency your mom found" is not.
ORDERED: frozenset[tuple[str, tuple[str, ...]]] = frozenset(
    {
        ("social_media_reconnaissance", ("SEEN", "YOURLIFE")),
        # "Your school will see it", not "get the money from your parents".
        ("sextortion_threat", ("YOURAUDIENCE", "SEENBY")),
    }
)
# Ideas that rule a flag out of a message: a request made while threatening a fake is the fake,
# not a request.
VETOES: dict[str, frozenset[str]] = {
    # "Send $500 or your pics go to your contacts" asks for money, not for more pictures.
    "content_demand": frozenset({"MONEY", "AMOUNT"}),
    "multiple_identities": frozenset({"PFP"}),
    # "The face swap app" is a fake's word, not a trade's.
    "reciprocation": frozenset({"FAKE", "DEEPFAKE"}),
    # ...and "send me $100 or I'm sending your nudes" is a threat, not a request.
    "rapid_sexual_request": frozenset({"FAKE", "DEEPFAKE", "ORI", "HOLD"}),
    # "I'll post your photos at your school" names the child's life too: it is the threat.
    "social_media_reconnaissance": frozenset(
        {"HOLD", "CONDITION", "WILL", "PUBLISHTHEM", "INTRUDE", "CREDENTIAL"}
    ),
}
# How sure a rule alone makes the detector: as sure as a pattern. The guards decide.
WEIGHT = 0.85
# The ages of children, said as a bare number ("so mature for 13").
_CHILD_AGES = frozenset(str(n) for n in range(9, 18))
# A time of day said as a deadline: "10pm", "9:30pm", "21:00".
_CLOCK = re.compile(
    r"(?:[01]?[0-9]|2[0-3])(?::[0-5][0-9])?(?:am|pm|hrs)|(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
)


def _build() -> tuple[dict[str, frozenset[str]], dict[str, int]]:
    table: dict[str, set[str]] = {}
    for idea, text in _IDEAS.items():
        for entry in text.split(","):
            # Through the same cleaning as the messages: "dont" is "do not" by then.
            phrase = normalise(entry).replace("'", "")
            if phrase:
                table.setdefault(phrase, set()).add(idea)
    # For each word that starts a phrase, the longest phrase it starts: a message's other
    # words are looked up alone, once.
    starts: dict[str, int] = {}
    for phrase in table:
        first, *rest = phrase.split()
        if rest:
            starts[first] = max(starts.get(first, 1), len(rest) + 1)
    return {k: frozenset(v) for k, v in table.items()}, starts


IDEAS = tuple(_IDEAS)
# Praise: what a compliment on seeming older is part of.
FLATTERY = frozenset({"FLATTER", "BOND", "AFFECTION"})
TABLE, _STARTS = _build()
_NONE: frozenset[str] = frozenset()


def _alternatives(
    rules: dict[str, tuple[tuple[str, ...], ...]],
) -> list[tuple[str, list[tuple[tuple[str, ...], frozenset[str]]]]]:
    return [
        (flag, [(ideas, frozenset(ideas)) for ideas in alternatives])
        for flag, alternatives in rules.items()
    ]


_ALTERNATIVES = _alternatives(RULES)
# In context, each flag's own rules and then its context rules, in one list per flag.
_IN_CONTEXT_ALTERNATIVES = _alternatives(
    {flag: RULES[flag] + IN_CONTEXT.get(flag, ()) for flag in RULES}
)


def read(norm: str) -> dict[str, str]:
    """The ideas a normalised message holds, each with the first words that carry it."""
    # Apostrophes go: "i'll" and "ill", "don't" and "dont" are one entry each.
    words = norm.replace("'", "").split()
    found: dict[str, str] = {}
    for i, word in enumerate(words):
        for idea in TABLE.get(word, ()):
            found.setdefault(idea, word)
        if word in _CHILD_AGES:
            found.setdefault("AGE", word)
        elif word[:1] == "$" and len(word) > 1:
            # "$150", and a payment handle ("$somename") too: money either way.
            found.setdefault("MONEY", word)
            if word[1:2].isdigit():
                found.setdefault("DOLLARS", word)
        elif _CLOCK.fullmatch(word):
            found.setdefault("DEADLINE", word)
        elif word.isascii() and word.isdigit() and len(word) <= 6 and 20 <= int(word) <= 100_000:
            # (ASCII only: "❶" is a digit to str.isdigit and not a number to int. Six digits at
            # most: int() refuses a string of over 4,300, and no sum asked for is that long.)
            # A bare sum beside a way to pay: "venmo 100".
            found.setdefault("AMOUNT", word)
        for n in range(2, _STARTS.get(word, 1) + 1):
            phrase = " ".join(words[i : i + n])
            for idea in TABLE.get(phrase, ()):
                found.setdefault(idea, phrase)
    return found


def proposals(
    found: dict[str, str], *, in_context: bool = False
) -> list[tuple[str, tuple[str, ...]]]:
    """(flag, phrases) for every flag whose rule the ideas satisfy: the words of each idea of
    the first alternative that holds, in the rule's order (the evidence, and where it starts).
    `in_context`: the conversation has shown a sexual request, a picture held or a threat, so
    the IN_CONTEXT rules apply too."""
    if not found:
        return []
    held = found.keys()
    out = []
    for flag, alternatives in _IN_CONTEXT_ALTERNATIVES if in_context else _ALTERNATIVES:
        if not VETOES.get(flag, _NONE).isdisjoint(held):
            continue
        for ideas, needed in alternatives:
            if needed <= held and ((flag, ideas) not in ORDERED or _in_order(found, ideas)):
                out.append((flag, tuple(found[idea] for idea in ideas)))
                break
    return out


def _in_order(found: dict[str, str], ideas: tuple[str, ...]) -> bool:
    """Whether the ideas were first found in this order (read() adds them as they come)."""
    order = {idea: n for n, idea in enumerate(found)}
    places = [order[idea] for idea in ideas]
    return places == sorted(places)


def features(found: dict[str, str]) -> list[str]:
    """The second stage's view: each idea, and each pair of them."""
    names = sorted(found)
    return [f"k:{k}" for k in names] + [f"kk:{a}+{b}" for a, b in itertools.combinations(names, 2)]
