"""Write the red-flag detector's synthetic corpus: data/detect/train.jsonl and heldout.jsonl.

Every line is a conversation in the DESIGN.md format with the labels of shared/RED-FLAGS.md
(`labels.flags`: the first message index of each flag; `labels.level`), and each message keeps
the flags it shows (`flags`) for training the second stage. Nothing here is explicit: requests
are described the way reports describe them ("asked for nudes").

The held-out split is written apart: every phrase bank is cut in two (the last third of each
bank is held out) and the held-out conversations draw only from that part, with their own
seed, so no sentence of the held-out split appears in training.

Run: `.venv/bin/python scripts/detect_corpus.py` (deterministic; rewrites both files).
"""

# ruff: noqa: RUF001, E501, S311, PLR0912, RET504 - a data file: look-alike letters on purpose, long
# sample lines, a seeded generator for repeatable synthetic data.
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "detect"
Line = tuple[
    str, str, tuple[str, ...]
]  # (speaker: "s" suspect / "c" child / "a", "b"), text, flags

# Phrase banks: suspect lines per flag, then the child's ----------------------------------------

EN: dict[str, list[str]] = {
    "social_media_reconnaissance": [
        "hey saw on your insta you play for the {team} team",
        "your profile says you go to {school}, my cousin goes there",
        "cute dog in your story, whats his name",
        "i know your friend {friend} from your followers",
        "been looking at your posts, you were amazing at the {event}",
        "i saw your tiktok from the {event} last week, so good",
        "we have like 20 mutuals lol, you go to {school} right?",
        "your bio says {school} class of 2029, same as my little bro",
        "i follow your sister on instagram, she posts you a lot",
        "loved your story from practice, your team looked sick",
        "found your page through {friend}, you dance at the studio on main right",
        "checked out your profile, you swim for {school} yeah",
        "i saw your game highlights on your story, you're fast",
        "your insta says you're in 8th grade at {school}",
        "congrats on the tournament, your mom posted the pics",
        "your bff's story had you in it, you're the one with the braces right",
        "saw the cheer pics from friday, you're on varsity?",
        "your brother follows me, he posts you a lot",
        "i know you go to {school}, i've seen you at the games",
    ],
    "rapid_sexual_request": [
        "send me a pic without your shirt",
        "can i see some nudes",
        "show me something spicy ;)",
        "send a pic in your underwear",
        "i wanna see you naked",
        "take your shirt off and snap me",
        "what are you wearing right now, send a pic",
        "can you send me a private pic",
        "send me a sexy selfie",
        "show me your body",
        "drop some nudes for me",
        "can i get a naughty pic",
        "got any pics without your top?",
        "send one in your towel after your shower",
        "let me see what's under the hoodie",
        "take a pic in bed for me, no pajamas",
        "can i see more of you?",
        "show me something no one else gets to see",
        "send a mirror pic, less clothes",
        "you should send me a spicy one tonight",
        "what do you look like under that?",
        "take one for me when you get out of the shower",
    ],
    "platform_migration": [
        "add me on snap, this app isnt private",
        "lets move to telegram, its safer there",
        "whats your snapchat",
        "text me on whatsapp instead",
        "we should talk on kik, my parents check this one",
        "hit me up on discord when you are alone",
        "can we switch to a private chat",
        "give me your number so we can talk more",
        "video call tonight? just us",
        "this app is not safe, lets go to signal",
        "dm me on instagram instead",
        "lets take this to snapchat so it disappears",
        "you got telegram? easier to talk there",
        "download signal, i'll find you there",
        "come on facetime, just the two of us",
        "switch to whatsapp, my texts here get read",
        "let's go private, add my snap",
        "this chat is monitored, text me on kik",
        "got discord? message me there when you're alone",
        "let's video chat later, just you",
        "delete this app and talk to me on telegram",
    ],
    "reciprocation": [
        "ill show you mine first if you show me yours",
        "i sent you one, your turn now",
        "lets trade pics",
        "i'll go first, then you",
        "show me yours and ill show you mine",
        "fair is fair, i sent mine",
        "i can send one first if that helps",
        "swap pics? i promise its fair",
        "i already sent you one, send me one back",
        "we could exchange photos, i'll start",
        "you show me and i show you, deal?",
        "only fair you send one too",
        "i'll send one of me first, then yours",
        "i showed you mine already",
        "one pic for one pic, fair trade",
        "you send one and i'll send one",
        "i'll send you something first",
        "i showed you, now it's your turn",
        "let's swap, you go second",
    ],
    "fake_modeling_agency": [
        "im a scout for a modeling agency, you could be a model",
        "our talent agency pays for photo shoots, interested?",
        "we need test shots in a bikini for your portfolio",
        "i work for a modeling agency and we pay $500 per shoot",
        "you should be a model, i can get you a contract",
        "im a photographer, paid shoot this weekend, send some pics first",
        "brand ambassador deal, just send a few pics to start",
        "casting agency here, we need sample photos in your swimsuit",
        "modeling opportunity for teens, great pay",
        "our agency gets girls paid for posing, no experience needed",
        "i'm with a talent agency, you have the look",
        "you could earn money modeling, we just need pics",
        "our teen model program pays $200 per set",
        "i'm a photographer scouting for a swimwear brand",
        "i manage a talent page, you have the look",
        "i scout for instagram brands, they pay teens to model",
        "you have model potential, i can get you signed",
        "we're casting for a youth fashion shoot, paid",
    ],
    "relationship_building": [
        "you're so mature for your age",
        "nobody understands you like i do",
        "this is our little secret ok?",
        "dont tell your parents about us",
        "you can trust me, i'd never hurt you",
        "i think about you all day",
        "your parents wouldn't understand us",
        "you're different from other girls",
        "i love you so much already",
        "delete our messages after ok",
        "keep this a secret, promise me",
        "you're so special to me",
        "you're way more mature than the kids at your school",
        "nobody has to know about us",
        "i'd never hurt you, i just get you",
        "you can tell me anything, i'll never judge you",
        "you're the only one who gets me",
        "let's keep us private, people wouldn't get it",
        "your parents are too strict, you deserve better",
    ],
    "multiple_identities": [
        "this is my friends account, you blocked my other one",
        "why did you block me?? this is my new account",
        "my cousin wants to message you too",
        "using my backup account now",
        "thought i told you my name was jay, its jordan",
        "made another account since you blocked me",
        "it's me again on my other profile",
        "my friend will text you, be nice to him",
        "you blocked me but i have more accounts",
        "this is my second account dont block this one",
        "new number, its me from before",
        "on my alt now",
        "blocked me again? i have plenty of accounts",
        "this is my brother's account, don't block it",
        "you can't get rid of me, new page",
        "you blocked me? made another one",
        "don't block this one too",
        "it's still me, different account",
    ],
    "account_compromise": [
        "whats your password, i want to check something",
        "send me the code that just came to your phone",
        "i got into your icloud",
        "i have all your photos from your camera roll",
        "give me your login so i can fix your account",
        "read me the verification code",
        "i hacked your snapchat, i can see your memories",
        "tell me your passcode",
        "i got into your google photos",
        "what's the 6 digit code they sent you",
        "i accessed your account last night",
        "i downloaded your gallery already",
        "i'm in your google account, i see everything",
        "what's your snapchat password, i'll boost your score",
        "tell me the login code they texted you",
        "log me into your account so i can see",
        "give me your login real quick",
        "i can see all your dms, i'm in your account",
    ],
    "deepfake_threat": [
        "i can make fake nudes of you with ai",
        "ill put your face on porn and send it around",
        "watch me photoshop you naked",
        "theres an app that makes you look naked, i'll use it",
        "nobody will know its fake",
        "i will edit your pics into nudes",
        "easy to make a deepfake of you",
        "i'll generate naked pics of you from your selfies",
        "with ai i can make you look undressed",
        "i'm going to create fake nudes from your insta",
        "your face on a naked body, everyone will believe it",
        "undress app takes 5 seconds",
        "i'll use an ai app to make you look naked",
        "i can edit you into anything i want",
        "fake or not, everyone will believe it's you",
        "i don't even need real pics, ai can do it",
        "i'll make a video of you that looks real",
        "i'll edit your face onto something nasty",
    ],
    "sextortion_threat": [
        "i screenshotted all your followers",
        "i will send it to your whole school",
        "im going to post it everywhere",
        "or i send it to your parents",
        "everyone will see it unless you do what i say",
        "i'll leak it to your friends",
        "i have your follower list, ill send it to all of them",
        "gonna ruin your life",
        "you have 10 minutes",
        "i know where you go to school",
        "i will share it with your family",
        "if you dont, your followers see everything",
        "your followers get the whole folder tonight",
        "i'll tag your school's page in it",
        "you know what happens if you block me",
        "i have a screenshot of everyone who follows you",
        "everyone on your list gets it",
        "i'll dm it to your whole team",
        "your reputation is done if this gets out",
        "i'm about to expose you",
    ],
    "financial_demand": [
        "send $300 on cash app",
        "pay me 500 dollars",
        "i need $200 in gift cards",
        "venmo me 150 now",
        "send money right now",
        "buy me steam cards",
        "transfer the money to my paypal",
        "how much money do you have",
        "send it to $jakepays22",
        "i want $1000 in bitcoin",
        "zelle me 250 or else",
        "get me amazon gift cards",
        "you're gonna pay me 300",
        "get the money from your parents",
        "pay in apple gift cards, send the codes",
        "$250 by midnight or it's out",
        "send the money and this goes away",
        "how much can you get by tonight",
        "i take cash app, apple pay or gift cards",
        "no money no deal",
    ],
    "content_demand": [
        "send more",
        "i want a video this time",
        "send another one",
        "get on cam now",
        "do it again without clothes",
        "send a video with your face in it",
        "i need more videos",
        "one more and i'll stop",
        "record a video for me right now",
        "send a better one",
        "do what i say or else",
        "make a new one now",
        "another video, longer this time",
        "send more with your face showing",
        "again, but better this time",
        "you'll send what i ask from now on",
        "more videos every night or else",
        "do it on video this time",
    ],
}
EN_CHILD = {
    "victim_distress": [
        "i want to die",
        "theres no way out",
        "my life is over",
        "im so scared i cant breathe",
        "i cant do this anymore",
        "my parents will hate me",
        "i want to kill myself",
        "i dont want to live anymore",
        "i'm shaking i'm so scared",
        "i just want to disappear",
        "i'm freaking out",
        "better off dead honestly",
        "i don't want to be here anymore",
        "i'm literally shaking right now",
        "i'm going to hurt myself",
        "i can't breathe, i'm so scared",
        "i just want it to be over",
        "i'm panicking so bad right now",
        "if this gets out i'll kill myself",
    ],
    "identity_misrepresentation": [
        "you said you were 15 but your voice sounds old",
        "wait that's not you in the pic",
        "you told me you were a girl, why do you sound like a man",
        "you look way older than 16",
        "i reverse image searched your pic, its someone else",
        "how does a 15 year old have a car",
        "your profile pic looks fake",
        "you said you were in 9th grade but you drive?",
        "you sound like an adult",
        "you said you were my age but you have a job",
        "thats not really you in the photo right",
        "your face looks like a grown man",
        "you said you were 16 but you just mentioned your wife",
        "your profile pic is a stock photo",
        "you told me you were in high school but you have a job",
    ],
    "neutral": [
        "lol ok",
        "who is this",
        "idk",
        "maybe",
        "i have to go soon",
        "what do you mean",
        "i'm not sure",
        "why",
        "ok",
        "haha",
        "my mom is calling me",
        "i have school tomorrow",
        "no thanks",
        "please dont",
        "i already sent it, please stop",
        "ok fine",
    ],
    "comply": [
        "ok i sent it",
        "there, i sent one",
        "fine, sent",
        "i did what you asked",
    ],
    "plead": [
        "please dont send it to anyone",
        "please i'm begging you",
        "i dont have that much money",
        "please stop",
        "i'll do anything just dont post it",
        "please dont tell my parents",
    ],
}
EN_SMALLTALK = [
    "hey",
    "hi how are you",
    "whats up",
    "not much, you?",
    "how was your day",
    "good, just got home",
    "cool",
    "what are you up to",
    "watching netflix",
    "same lol",
    "where are you from",
    "texas, you?",
    "nice",
    "do you like music",
    "yeah mostly rap",
]

ES: dict[str, list[str]] = {
    "social_media_reconnaissance": [
        "vi tus fotos de insta, juegas en el equipo de futbol verdad",
        "tu perfil dice que vas a la secundaria {school_es}",
        "conozco a tu amiga {friend} de tus seguidores",
        "vi tu historia del partido, que bien juegas",
        "tenemos amigos en comun, vas al colegio {school_es} no?",
        "me gustaron tus publicaciones de tu perrito",
    ],
    "rapid_sexual_request": [
        "mandame una foto sin ropa",
        "pasame tu pack",
        "quiero ver tu cuerpo",
        "enviame fotos intimas",
        "muestrame algo picante",
        "mandame nudes",
        "mandame una foto en ropa interior",
        "pasame fotos sin playera",
        "quiero fotos tuyas en toalla",
        "mandame una foto en toalla",
        "quiero verte sin nada",
        "pasame algo que no subirias",
    ],
    "platform_migration": [
        "agregame en snap, aqui no es seguro",
        "pasemos a whatsapp",
        "pasame tu numero",
        "hablemos por telegram mejor",
        "escribeme en privado por insta",
        "videollamada esta noche, solos",
        "tienes whats? pasame tu numero",
        "pasame tu wsp",
        "hablemos por telegram solos",
        "agregame a snap y borra esto",
    ],
    "reciprocation": [
        "yo te muestro la mia si tu me muestras la tuya",
        "intercambiemos fotos",
        "ya te mande la mia, te toca",
        "yo primero y luego tu",
        "si me muestras la tuya te paso la mia",
        "cambiamos fotos?",
    ],
    "fake_modeling_agency": [
        "soy de una agencia de modelos, podrias ser modelo",
        "necesitamos fotos de prueba en bikini",
        "te pagamos por fotos, somos agencia de talentos",
        "soy fotografo, sesion de fotos pagada este finde",
        "busco modelos jovenes, buena paga",
        "contrato de modelo, solo manda unas fotos",
    ],
    "relationship_building": [
        "eres muy madura para tu edad",
        "nadie te entiende como yo",
        "esto es nuestro secreto",
        "no le digas a tus papas",
        "puedes confiar en mi",
        "te amo, eres especial para mi",
        "eres la unica que me entiende",
        "nadie tiene que saber",
    ],
    "multiple_identities": [
        "es la cuenta de mi amigo, me bloqueaste",
        "por que me bloqueaste? esta es mi nueva cuenta",
        "abri otra cuenta",
        "pense que te llamabas ana",
        "mi otra cuenta, soy yo",
        "esta es mi segunda cuenta no me bloquees",
    ],
    "account_compromise": [
        "dame tu contrasena",
        "pasame el codigo que te llego",
        "entre a tu icloud",
        "tengo tus fotos de tu galeria",
        "hackee tu cuenta de snap",
        "cual es tu clave",
    ],
    "deepfake_threat": [
        "puedo hacer fotos desnuda tuyas con ia",
        "pongo tu cara en un video porno",
        "nadie va a saber que es falsa",
        "voy a editar tus fotos para que salgas sin ropa",
        "con inteligencia artificial te desnudo",
        "te voy a hacer un montaje porno",
    ],
    "sextortion_threat": [
        "tengo captura de tus seguidores",
        "lo voy a mandar a todos tus amigos",
        "voy a publicar tus fotos en tu escuela",
        "o si no todos lo van a ver",
        "te voy a arruinar la vida",
        "las voy a subir a internet",
        "se las paso a tus papas",
        "y subirlas a tu escuela",
        "tus amigos van a ver todo",
        "todos tus seguidores la van a tener",
        "se la mando a toda tu escuela",
    ],
    "financial_demand": [
        "mandame 300 dolares",
        "quiero dinero ya",
        "deposita en oxxo ahora",
        "pasame tarjetas de regalo",
        "transfiere 200 pesos",
        "cuanto dinero tienes",
        "si no me pagas 500 pesos se acaba",
        "depositame 300 pesos hoy",
        "mandame dinero y lo borro",
        "quiero 500 pesos hoy por oxxo",
    ],
    "content_demand": [
        "manda mas",
        "quiero un video",
        "mandame otra ahora",
        "necesito mas videos",
        "por camara ahora o si no",
        "que se vea tu cara",
    ],
}
ES_CHILD = {
    "victim_distress": [
        "me quiero morir",
        "no hay salida",
        "ya no puedo mas",
        "tengo mucho miedo",
        "mis papas me van a odiar",
        "mi vida esta arruinada",
    ],
    "identity_misrepresentation": [
        "dijiste que tenias 15 pero tu voz suena de adulto",
        "esa no eres tu en la foto",
        "pareces mucho mayor",
        "me dijiste que eras una chica pero suenas como un senor",
        "tu foto se ve falsa",
        "dijiste que eras de mi edad pero tienes trabajo",
    ],
    "neutral": [
        "jaja ok",
        "quien eres",
        "no se",
        "tal vez",
        "me tengo que ir",
        "que",
        "por favor no",
        "mi mama me esta llamando",
        "ok",
        "mañana tengo escuela",
    ],
    "comply": ["ya te la mande", "ok ya", "listo, enviada"],
    "plead": [
        "por favor no la mandes",
        "te lo ruego",
        "no tengo tanto dinero",
        "por favor para",
    ],
}
ES_SMALLTALK = [
    "hola",
    "que tal",
    "bien y tu",
    "que haces",
    "nada, viendo series",
    "de donde eres",
    "de mexico y tu",
    "que onda",
    "todo bien",
    "te gusta la musica",
]

# Hard negatives: conversations that sound alike and are not a flag --------------------------

HARD_EN: dict[str, list[list[tuple[str, str]]]] = {
    "counselor": [
        [
            ("a", "today we are talking about sextortion and its red flags"),
            (
                "a",
                "if someone asks you for nudes right after friending you, that is a warning sign",
            ),
            ("b", "what if they say they will post it"),
            ("a", "that is a threat, never pay and report it to ncmec or take it down"),
            ("b", "ok thanks"),
        ],
        [
            ("a", "one red flag is when a stranger wants to move the chat to snapchat"),
            ("a", "scammers often pretend to be a modeling agency"),
            ("b", "my friend got one of those messages"),
            ("a", "if anyone threatens you, tell a trusted adult and report it"),
        ],
    ],
    "parent_news": [
        [
            ("a", "did you see the news story about the boy who was blackmailed"),
            ("b", "yeah they said the guy wanted $500 in gift cards"),
            (
                "a",
                "if someone ever asks you for pics or money, you tell me ok? you wont be in trouble",
            ),
            ("b", "i know mom"),
            ("a", "love you"),
        ],
        [
            ("a", "the article says scammers screenshot your followers and threaten to send pics"),
            ("b", "that's so creepy"),
            ("a", "never send anything, and if it happens come to me"),
            ("b", "ok"),
        ],
    ],
    "reported_scam": [
        [
            ("a", "some account told me to add her on snap lol"),
            ("b", "ew ignore it"),
            ("a", "then he asked for nudes so i blocked him"),
            ("b", "good, that's a scam"),
        ],
        [
            ("a", "this guy kept saying he would send my pics to my friends but i never sent any"),
            ("b", "wait what"),
            ("a", "yeah it was a bot, i reported it"),
            ("b", "smart"),
        ],
    ],
    "pet_photos": [
        [
            ("a", "send me a pic of biscuit!!"),
            ("b", "he's sleeping on the couch"),
            ("a", "i'll send you one of luna, she's in the bath"),
            ("b", "omg so cute"),
        ],
        [
            ("a", "can you send a pic of the new puppy"),
            ("b", "sent! she's so tiny"),
            ("a", "show me more pics when she wakes up"),
            ("b", "ok lol"),
        ],
    ],
    "bill_split": [
        [
            ("a", "venmo me $12 for the pizza"),
            ("b", "sent!"),
            ("a", "thanks, and you owe me for the movie tickets too"),
            ("b", "ok i'll send $15 on cash app"),
        ],
        [
            ("a", "can you pay me back for the uber, it was 20 dollars"),
            ("b", "yeah sending it on zelle now"),
            ("a", "got it thanks"),
        ],
    ],
    "gamers": [
        [
            ("a", "add me on discord for the raid tonight"),
            ("b", "whats your discord"),
            ("a", "same name, join the server at 8"),
            ("b", "bet, bring the squad"),
        ],
        [
            ("a", "lets move to discord for ranked, this game chat sucks"),
            ("b", "ok send the server link"),
            ("a", "sent, we play at 7"),
        ],
    ],
    "adults_flirting": [
        [
            ("a", "had fun at drinks last night"),
            ("b", "me too, work was brutal today though"),
            ("a", "send me a cute pic ;)"),
            ("b", "haha after my shift"),
            ("a", "you're so hot, can't wait for saturday"),
        ],
        [
            ("a", "i'm 34 and just got divorced, dating is weird"),
            ("b", "lol same, i'm 31. add me on whatsapp"),
            ("a", "sure, let's get dinner this week"),
        ],
    ],
    "real_modeling": [
        [
            ("a", "hi, this is bright faces agency confirming saturday's shoot at our office"),
            ("a", "your parent must attend and sign the contract before we start"),
            ("b", "ok my mom will come"),
            ("a", "great, our license number is on the website. see you at 10"),
        ],
        [
            ("a", "we are a licensed talent agency, a guardian needs to be present at the studio"),
            ("b", "my dad can bring me"),
            ("a", "perfect, the work permit form is attached"),
        ],
    ],
    "hyperbole": [
        [
            ("a", "this homework is killing me"),
            ("b", "im dying lol"),
            ("a", "the test tomorrow is gonna end me haha"),
            ("b", "literally dead"),
        ],
        [
            ("a", "did you see that video"),
            ("b", "i'm dying lmao"),
            ("a", "i cant breathe haha"),
        ],
    ],
    "moderators": [
        [
            ("a", "flagged as sextortion in the queue, user threatened to post pics to followers"),
            ("b", "escalate to trust and safety and file the cybertip"),
            ("a", "done, also the account asked for money in gift cards"),
            ("b", "add that to the ticket"),
        ],
    ],
    "surprise_secret": [
        [
            ("a", "dont tell mom about the surprise party"),
            ("b", "i won't, it's our secret"),
            ("a", "i got her a gift card for the spa"),
            ("b", "she'll love it"),
        ],
    ],
}
HARD_ES: dict[str, list[list[tuple[str, str]]]] = {
    "parent_news": [
        [
            ("a", "viste la noticia del chico al que extorsionaron"),
            ("b", "si, dicen que el tipo le pidio dinero"),
            ("a", "si alguien te pide fotos o dinero me dices, no te vas a meter en problemas"),
            ("b", "ok mama"),
        ],
        [
            ("a", "el articulo dice que los estafadores amenazan con mandar fotos a tus amigos"),
            ("b", "que miedo"),
            ("a", "nunca mandes nada y si pasa me cuentas"),
        ],
    ],
    "adults_flirting": [
        [
            ("a", "me la pase bien anoche, el trabajo hoy estuvo pesado"),
            ("b", "igual, mandame una foto linda ;)"),
            ("a", "jaja despues del trabajo, tengo 32 anos y sigo cansada"),
        ],
        [
            ("a", "tengo 35 anos, recien divorciado"),
            ("b", "yo tengo 33, agregame en whatsapp"),
            ("a", "va, cenamos el sabado"),
        ],
    ],
    "counselor": [
        [
            (
                "a",
                "las senales de alerta: alguien que te pide fotos muy rapido o que te pasa a otra app",
            ),
            ("b", "y que hago"),
            ("a", "no mandes nada, guarda los mensajes y reportalo"),
        ],
        [
            ("a", "hoy hablamos de las senales de alerta de la sextorsion"),
            ("a", "si alguien te pide fotos intimas, es una estafa, reportalo"),
            ("b", "y si amenazan con publicarlas"),
            ("a", "nunca mandes dinero y denuncialo"),
        ],
    ],
    "reported_scam": [
        [
            (
                "a",
                "alguien me escribio que iba a mandar mis fotos a mis amigos, pero nunca le mande nada",
            ),
            ("b", "es un bot, reportalo"),
            ("a", "ya lo reporte"),
        ],
        [
            ("a", "un tipo me pidio mi numero para pasarnos a whatsapp jaja"),
            ("b", "bloquealo"),
            ("a", "ya, luego me dijo que le mandara fotos"),
            ("b", "que asco, es una estafa"),
        ],
    ],
    "bill_split": [
        [
            ("a", "me debes la mitad de la cena, 200 pesos"),
            ("b", "te los paso por mercado pago"),
            ("a", "va gracias"),
        ],
        [
            ("a", "pasame 150 pesos de la pizza"),
            ("b", "ya te transferi"),
            ("a", "gracias, me debes lo de los boletos"),
        ],
    ],
    "gamers": [
        [
            ("a", "pasemos a discord para la partida, el chat del juego no sirve"),
            ("b", "pasame el server"),
            ("a", "listo, jugamos a las 7"),
        ],
        [
            ("a", "agregame en discord para jugar la partida"),
            ("b", "va, a que hora"),
            ("a", "a las 8 en el server"),
        ],
    ],
    "pet_photos": [
        [
            ("a", "mandame fotos de la gatita nueva"),
            ("b", "ahi van, esta chiquita"),
            ("a", "mandame mas cuando despierte"),
        ],
        [
            ("a", "mandame foto del perrito"),
            ("b", "ahi va, esta dormido"),
            ("a", "que lindo, te paso una de mi gato"),
        ],
    ],
    "hyperbole": [
        [
            ("a", "viste el video? me muero de risa jajaja"),
            ("b", "ya no puedo mas jaja"),
        ],
        [
            ("a", "esta tarea me va a matar jaja"),
            ("b", "me muero jajaja"),
            ("a", "el examen esta imposible xd"),
        ],
    ],
}

# Chat-style noise: what the detector must see through -----------------------------------------

LOOKALIKE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і"}
LEET = {"e": "3", "o": "0", "i": "1", "a": "4", "s": "5"}
KEYWORDS = ("nudes", "pic", "snap", "money", "send", "password", "naked", "secret", "followers")


def _noise(text: str, rng: random.Random) -> str:
    roll = rng.random()
    words = text.split()
    if roll < 0.12 and words:
        # spacing trick on a key word
        for i, w in enumerate(words):
            if w in KEYWORDS:
                words[i] = " ".join(w)
                break
    elif roll < 0.22 and words:
        for i, w in enumerate(words):
            if w in KEYWORDS and len(w) > 3:
                j = rng.randrange(1, len(w) - 1)
                if w[j] in LEET:
                    words[i] = w[:j] + LEET[w[j]] + w[j + 1 :]
                break
    elif roll < 0.3:
        text = "".join(LOOKALIKE.get(ch, ch) if rng.random() < 0.15 else ch for ch in text)
        return text
    elif roll < 0.38 and words:
        w = rng.randrange(len(words))
        if len(words[w]) > 2:
            v = next((k for k, ch in enumerate(words[w]) if ch in "aeiou"), None)
            if v is not None:
                words[w] = words[w][: v + 1] + words[w][v] * 3 + words[w][v + 1 :]
    elif roll < 0.45:
        text = text.upper()
        return text
    elif roll < 0.52:
        return text + rng.choice([" 😈", " 😘", " 👀", " 💰", " 😭", " 🙏"])
    return " ".join(words)


# Scenarios ------------------------------------------------------------------------------------

FILL = {
    "team": ["eastside soccer", "riverside volleyball", "north hills hockey", "lincoln swim"],
    "school": ["lincoln middle", "westview high", "oak park middle", "central high"],
    "school_es": ["benito juarez", "tecnica 14", "san martin", "la prepa 5"],
    "friend": ["maya", "sam", "jordan", "alex", "lucia", "diego"],
    "event": ["recital", "game", "meet", "tournament"],
}


def _fill(text: str, rng: random.Random) -> str:
    for key, values in FILL.items():
        text = text.replace("{" + key + "}", rng.choice(values))
    return text


def _inner(items: list, inner: str) -> list:
    """The development split inside the training part (`--inner`): every other line of each
    bank to train on, the rest to judge a change by, so that tuning never reads the held-out
    third. A bank of one line goes to both."""
    if not inner or len(items) < 2:
        return items
    return items[0::2] if inner == "train" else items[1::2]


class Banks:
    """One split's share of every phrase bank."""

    def __init__(self, held_out: bool, inner: str = "") -> None:
        def cut(items: list[str]) -> list[str]:
            # The last third of each bank is held out.
            edge = len(items) - max(1, len(items) // 3)
            if held_out:
                return items[edge:]
            return _inner(items[:edge], inner)

        self.suspect = {
            "en": {k: cut(v) for k, v in EN.items()},
            "es": {k: cut(v) for k, v in ES.items()},
        }
        self.child = {
            "en": {k: cut(v) for k, v in EN_CHILD.items()},
            "es": {k: cut(v) for k, v in ES_CHILD.items()},
        }
        self.small = {"en": cut(EN_SMALLTALK), "es": cut(ES_SMALLTALK)}

        def cut_hard(bank: dict[str, list[list[tuple[str, str]]]]) -> dict[str, list]:
            out = {}
            for k, convs in bank.items():
                if len(convs) == 1:
                    # A lone example is held out: training never sees it.
                    out[k] = convs if held_out else []
                else:
                    out[k] = (
                        convs[len(convs) // 2 :]
                        if held_out
                        else _inner(convs[: len(convs) // 2], inner)
                    )
            return out

        self.hard = {"en": cut_hard(HARD_EN), "es": cut_hard(HARD_ES)}


ARCS: dict[str, list[str]] = {
    # Each arc: the order of suspect flags; "c:" steps are the child's.
    "extortion_money": [
        "social_media_reconnaissance?",
        "relationship_building?",
        "platform_migration?",
        "rapid_sexual_request",
        "reciprocation?",
        "c:comply",
        "sextortion_threat",
        "financial_demand",
        "c:plead",
        "c:victim_distress?",
    ],
    "extortion_content": [
        "relationship_building",
        "rapid_sexual_request",
        "c:comply",
        "content_demand",
        "sextortion_threat",
        "c:victim_distress?",
    ],
    "deepfake": [
        "social_media_reconnaissance?",
        "rapid_sexual_request?",
        "c:neutral",
        "deepfake_threat",
        "financial_demand?",
        "c:victim_distress?",
    ],
    "compromise": [
        "platform_migration?",
        "account_compromise",
        "c:neutral",
        "sextortion_threat",
        "financial_demand",
        "c:plead",
    ],
    "modeling": [
        "fake_modeling_agency",
        "relationship_building?",
        "rapid_sexual_request",
        "c:neutral",
    ],
    "grooming": [
        "social_media_reconnaissance?",
        "relationship_building",
        "platform_migration",
        "rapid_sexual_request?",
        "c:neutral",
    ],
    "identities": [
        "multiple_identities",
        "relationship_building?",
        "c:neutral",
        "rapid_sexual_request?",
    ],
    "catfish": [
        "relationship_building",
        "c:identity_misrepresentation",
        "platform_migration?",
    ],
    "distress_only": ["c:neutral", "sextortion_threat", "c:victim_distress"],
}


def _conversation(
    arc: str, lang: str, banks: Banks, rng: random.Random, number: int
) -> dict[str, object]:
    messages: list[dict[str, object]] = []

    def say(speaker: str, text: str, flags: tuple[str, ...] = ()) -> None:
        messages.append(
            {"sender": speaker, "text": _noise(_fill(text, rng), rng), "flags": list(flags)}
        )

    suspect, child = rng.sample(["u1", "u2", "x", "acct_a", "acct_b", "p1", "p2"], 2)
    for _ in range(rng.randint(0, 3)):
        who = rng.choice([suspect, child])
        say(who, rng.choice(banks.small[lang]))
    for raw_step in ARCS[arc]:
        optional = raw_step.endswith("?")
        step = raw_step.rstrip("?")
        if optional and rng.random() < 0.45:
            continue
        if step.startswith("c:"):
            kind = step[2:]
            bank = banks.child[lang][kind]
            flags = (kind,) if kind in ("victim_distress", "identity_misrepresentation") else ()
            say(child, rng.choice(bank), flags)
        else:
            say(suspect, rng.choice(banks.suspect[lang][step]), (step,))
        if rng.random() < 0.3:
            say(child, rng.choice(banks.child[lang]["neutral"]))
    return _labelled(f"{lang}-{arc}-{number}", messages)


def _hard(kind: str, lang: str, banks: Banks, rng: random.Random, number: int) -> dict[str, object]:
    template = rng.choice(banks.hard[lang][kind])
    names = rng.sample(["u1", "u2", "x", "acct_a", "acct_b", "p1", "p2"], 2)
    who = {"a": names[0], "b": names[1]}
    messages = [
        {"sender": who[s], "text": _noise(t, rng) if rng.random() < 0.3 else t, "flags": []}
        for s, t in template
    ]
    return _labelled(f"{lang}-hard-{kind}-{number}", messages, hard=kind)


def _labelled(cid: str, messages: list[dict[str, object]], hard: str = "") -> dict[str, object]:
    first: dict[str, int] = {}
    for index, message in enumerate(messages):
        for flag in message["flags"]:  # type: ignore[attr-defined]
            first.setdefault(flag, index)
    extortion = {"sextortion_threat", "deepfake_threat", "financial_demand"}
    level = "extortion" if extortion & first.keys() else ("grooming" if first else "none")
    labels: dict[str, object] = {"flags": first, "level": level}
    if hard:
        labels["hard_negative"] = hard
    return {"id": cid, "messages": messages, "labels": labels}


def build(held_out: bool, count: int, seed: int, inner: str = "") -> list[dict[str, object]]:
    rng = random.Random(seed)
    banks = Banks(held_out, inner)
    out = []
    arcs = list(ARCS)
    for n in range(count):
        lang = "es" if rng.random() < 0.3 else "en"
        if rng.random() < 0.35:
            kinds = [k for k, v in banks.hard[lang].items() if v]
            out.append(_hard(rng.choice(kinds), lang, banks, rng, n))
        else:
            out.append(_conversation(rng.choice(arcs), lang, banks, rng, n))
    return out


def write(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def handwritten(text: str) -> list[dict[str, object]]:
    """Read data/detect/handwritten.txt (its header says the format)."""
    rows: list[dict[str, object]] = []
    cid = ""
    messages: list[dict[str, object]] = []
    for raw in [*text.splitlines(), "## end"]:
        line = raw.strip()
        if line.startswith("## "):
            if cid:
                rows.append(_labelled(cid, messages, hard="handwritten" if cid else ""))
            cid, messages = line[3:].strip(), []
            continue
        if not line or line.startswith("#") or not cid:
            continue
        sender, _, rest = line.partition(":")
        flags: list[str] = []
        if rest.rstrip().endswith("]") and "[" in rest:
            rest, _, tail = rest.rpartition("[")
            flags = [f.strip() for f in tail.rstrip("] ").split(",") if f.strip()]
        messages.append({"sender": sender.strip(), "text": rest.strip(), "flags": flags})
    for row in rows:
        labels = row["labels"]
        if labels["level"] != "none":  # type: ignore[index]
            del labels["hard_negative"]  # type: ignore[attr-defined]
    return rows


def main(argv: list[str] | None = None) -> int:
    if argv and argv[0] == "--inner":
        # A development split for tuning: both halves drawn from the training part only.
        target = Path(argv[1]) if len(argv) > 1 else OUT / "inner"
        write(target / "train.jsonl", build(held_out=False, count=2400, seed=7, inner="train"))
        write(target / "dev.jsonl", build(held_out=False, count=800, seed=11, inner="dev"))
        return 0
    write(OUT / "train.jsonl", build(held_out=False, count=2400, seed=7))
    write(OUT / "heldout.jsonl", build(held_out=True, count=800, seed=20261128))
    for name in (
        "handwritten",
        "handwritten-2",
        "handwritten-3",
        "handwritten-4",
        "handwritten-5",
        "handwritten-6",
        "handwritten-7",
        "handwritten-8",
        "handwritten-9",
        "handwritten-10",
        "handwritten-11",
        "handwritten-12",
        "handwritten-13",
        "handwritten-14",
        "handwritten-15",
        "everyday",
        "everyday-2",
        "everyday-3",
        "everyday-4",
    ):
        write(
            OUT / f"{name}.jsonl",
            handwritten((OUT / f"{name}.txt").read_text(encoding="utf-8")),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
