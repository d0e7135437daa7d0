"""The first stage's patterns: for each red flag, phrases in English and Spanish, written from
the definitions in shared/RED-FLAGS.md, over text that normalise.py has already cleaned.

Each pattern has a weight: how sure a match alone makes the detector. Guards say when a match is
not a flag at all: reported speech, education, hyperbole, a plainly benign context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tipline.detect.flags import FLAGS

# Fragments shared by many patterns -----------------------------------------------------------

# Sexual images, described the way people ask for them.
_IMG_EN = (
    r"(?:nudes?|naked\b(?: \w+){0,2}|nsfw|explicit (?:pics?|photos?|videos?)|"
    r"(?:sexy|spicy|hot|naughty|dirty|private|intimate|special|lewd) "
    r"(?:pics?|photos?|pictures?|selfies?|videos?|snaps?)|"
    r"something (?:spicy|sexy|naughty|private|dirty|special|more)|"
    r"(?:pics?|photos?|selfies?|videos?) (?:of you )?(?:in|with|without) (?:just |only )?"
    r"(?:your |no |any |a )?(?:underwear|bra|boxers|clothes|shirt|top|towel|bikini|swimsuit|"
    r"bathing suit|lingerie)|"
    r"something (?:you wouldn't|you would not|you'd never|you would never|you can't|you can not)"
    r" (?:post|show|share)|"
    r"(?:your|ur) (?:body|chest|boobs|butt|private parts)|"
    r"without (?:your |any )?(?:clothes|shirt|top))"
)
_IMG_ES = (
    r"(?:pack|nudes?|desnud[oa]s?|fotos? (?:desnud[oa]s?|intimas?|sin ropa|en ropa interior|"
    r"hot|sexys?|picantes?|atrevidas?|privadas?)|algo (?:picante|sexy|atrevido|mas)|"
    r"tu cuerpo|sin ropa)"
)
_SHARE_EN = r"(?:send|post|share|leak|expose|show|spread|upload|forward|sell|give|drop|release)"
_AUDIENCE_EN = (
    r"(?:followers?|friends?|family|parents?|mom|mum|dad|school|teachers?|classmates?|everyone|"
    r"group chat|class chat|class group|"
    r"everybody|the internet|online|contacts|coach|team|church|girlfriend|boyfriend|"
    r"whole school|relatives|brother|sister|grandma)"
)
_SHARE_ES = (
    r"(?:mandar|enviar|publicar|subir|pasar|compartir|mostrar|difundir|filtrar|mando|envio|"
    r"publico|subo|paso|comparto|muestro|difundo|filtro)"
)
_AUDIENCE_ES = (
    r"(?:seguidores|amigos|amigas|familia|papas|padres|mama|papa|escuela|colegio|profes|"
    r"profesores|companeros|todos|todo el mundo|contactos|internet|redes)"
)
_APPS = (
    r"(?:snapchat|telegram|whatsapp|kik|wickr|signal|discord|instagram|skype|facetime|"
    r"google meet|zoom|wizz|omegle|line|viber|wechat|session|threema|dm|private chat|"
    r"another app|other app|a different app)"
)
_MONEY_EN = (
    r"(?:\$ ?\d[\d,.]*|\d[\d,.]* ?(?:dollars|bucks|usd|euros?)|money|cash|gift ?cards?|"
    r"bitcoin|btc|crypto|usdt|robux|v-?bucks|steam cards?|itunes cards?|amazon cards?|"
    r"google play cards?|apple cards?)"
)
_PAY_APPS = r"(?:cash ?app|venmo|paypal|zelle|apple pay|google pay|western union|moneygram|chime)"
_MONEY_ES = (
    r"(?:\$ ?\d[\d,.]*|\d[\d,.]* ?(?:dolares|pesos|euros|soles)|dinero|plata|lana|feria|"
    r"tarjetas? de regalo|bitcoin|cripto|robux)"
)
_PAY_ES = r"(?:oxxo|mercado pago|nequi|daviplata|transferencia|deposito|paypal|zelle|bizum)"


@dataclass(frozen=True)
class Pattern:
    flag: str
    regex: re.Pattern[str]
    weight: float
    lang: str


def _p(flag: str, weight: float, lang: str, *expressions: str) -> list[Pattern]:
    return [Pattern(flag, re.compile(_whole_word(e)), weight, lang) for e in expressions]


def _whole_word(expression: str) -> str:
    """A pattern starts at the start of a word: "ia" (Spanish for AI) must not match inside
    "policia", nor "no" inside "baño". Patterns anchored already, or starting with a space,
    are left as written."""
    if expression.startswith(("^", "\\b", " ")):
        return expression
    return "\\b" + expression


PATTERNS: list[Pattern] = [
    # social_media_reconnaissance: rapport from details studied on the child's profile.
    *_p(
        "social_media_reconnaissance",
        0.8,
        "en",
        r"(?:saw|seen|see|found|love|loved|liked|checked out|been looking at|looked at|noticed)"
        r"(?: \w+){0,2} (?:on )?(?:your|ur) (?:profile|page|posts?|pics|photos|story|stories|"
        r"instagram|tiktok|account|feed|bio|highlights|reels?)",
        r"(?:your|ur) (?:profile|bio|instagram|tiktok|story|stories|posts?|page|followers?|feed)"
        r"(?: \w+){0,6} (?:school|middle|high|academy|elementary|team|club|dog|cat|puppy|pet|"
        r"friends?|sister|brother|grade|class|coach|game|practice|recital|birthday|mom|dad|"
        r"go to|play)",
        r"(?:you|u) (?:go to|play for|play on|are on|swim for|dance at|skate at)(?: \w+){0,4} "
        r"(?:school|middle|high|academy|team|club)(?: \w+){0,5} (?:right|huh|yeah|i saw|i know)",
        r"(?:i|we) (?:know|follow|saw) (?:your|ur) (?:friend|sister|brother|cousin|mom|teammates?)"
        r"(?: \w+){0,3} (?:on|from|in) (?:your|ur|instagram|tiktok|snapchat)",
        r"(?:we have|we got|i saw we have|lots of) (?:mutuals|mutual friends|friends in common)",
        r"recogni[sz]ed? you from (?:your|ur) (?:pics|posts|profile|photos|videos|stories|story)",
        r"(?:congrats|congratulations) on (?:making|the|your)(?: \w+){0,3} "
        r"(?:team|varsity|game|win|match|recital|tournament|meet)",
        r"(?:your|ur) (?:coach|school|mom|dad|team|club) posted",
        r"(?:were|was) (?:at|in) the (?:\w+ )?(?:game|carnival|concert|recital|meet|party|"
        r"tournament|fair)(?: \w+){0,3} right",
        r"(?:school|team|dog|cat|puppy|pet|sister|brother|friends?|game|recital|practice)"
        r"(?: \w+){0,2} (?:in|on|from) (?:your|ur) (?:story|stories|posts?|profile|page|feed|"
        r"pics|photos|instagram|tiktok)",
    ),
    *_p(
        "social_media_reconnaissance",
        0.8,
        "es",
        r"(?:vi|he visto|me gusto|me gustaron|revise|encontre)(?: \w+){0,2} (?:tu|tus) "
        r"(?:perfil|fotos?|posts?|publicaciones|historias?|insta|instagram|tiktok|cuenta|reels?)",
        r"(?:tu|tus) (?:perfil|insta|instagram|tiktok|historias?|publicaciones|seguidores)"
        r"(?: \w+){0,6} (?:escuela|colegio|secundaria|prepa|equipo|club|perro|perrita|perrito|"
        r"gato|gatita|amigas?|amigos?|hermana|hermano|grado|clase|entrenador|partido)",
        r"(?:tenemos|hay) (?:amigos|amigas|seguidores) en comun",
        r"(?:conozco|sigo) a tu (?:amiga|amigo|hermana|hermano|prima|primo)",
        r"vi tus (?:videos|fotos|bailes) (?:de|en) (?:tiktok|insta|instagram)",
        r"tu (?:escuela|colegio|casa|equipo) se ve",
    ),
    # rapid_sexual_request: any first request for nude or sexual images.
    *_p(
        "rapid_sexual_request",
        0.9,
        "en",
        rf"(?:send|show|snap|give|share|trade|drop|take|get)(?: me| us)?(?: \w+){{0,3}} {_IMG_EN}",
        rf"(?:can|could|will|would|may|do) (?:i|you)(?: \w+){{0,2}} (?:see|get|have|send)"
        rf"(?: \w+){{0,3}} {_IMG_EN}",
        r"(?:want|wanna|like|love|dying|need) to see (?:you|ur|your|what you|more of you)"
        r"(?: \w+){0,3} (?:naked|body|without|in your|under|wearing nothing)",
        r"(?:take|took) (?:your|ur|that|the) (?:shirt|clothes|top|pants|bra) off",
        r"what (?:are|r) (?:you|u) wearing(?: right now| rn| under)",
        r"(?:show|send) (?:me )?(?:your|ur) body",
        r"(?:any|got any|have any|some) (?:pics?|photos?|selfies?|videos?)(?: \w+){0,2} "
        r"(?:without|in your|in just|with no|of your body|naked|in a towel)",
        # A request, an image, and a sexual setting anywhere in the message: "send one in
        # your towel after your shower", "take a pic in bed for me, no pajamas".
        r"^(?=.*\b(?:send|show|take|snap|drop|let me see|lemme see|get)\b)"
        r"(?=.*\b(?:pics?|photos?|pictures?|selfies?|videos?|one|snaps?)\b)"
        r"(?=.*\b(?:towel|shower|in bed|underwear|bra|naked|nude|no clothes|no pajamas|"
        r"shirtless|topless|bikini|swimsuit|lingerie|under (?:the|your) (?:hoodie|shirt|"
        r"clothes|dress|skirt|blanket)))",
        r"what(?:'s| is) under (?:the|your) (?:hoodie|shirt|clothes|dress|skirt|blanket)",
        r"(?:see|show me|send me) (?:more of you|what you(?:'re| are) hiding|what you look like "
        r"under)",
        r"(?:mirror|full body|body|bikini|bathroom) (?:pic|pics|selfie|photo)(?: \w+){0,3} "
        r"(?:less|without|no|for me)",
        r"(?:send|show|snap|give|take|dm|post|text|get)(?: me)? (?:one|a pic|a photo|a picture|a "
        r"selfie|something|a video)(?: \w+){0,2} (?:where|when|with|without|in which) (?:you're|"
        r"you are|your|you)(?: \w+){0,2} (?:not wearing|wearing nothing|naked|undressed|in your "
        r"underwear|in your bra|in bed|in the shower|in a towel)",
        r"(?:not wearing|wearing) (?:much|anything|nothing|less)(?: \w+){0,2}"
        r"(?: pic| photo| for me)?",
        r"(?:pics?|photos?|pictures?|selfies?) (?:in|of you in) (?:your |just )?(?:underwear|bra|"
        r"bikini|towel|lingerie|boxers)",
    ),
    *_p(
        "rapid_sexual_request",
        0.9,
        "es",
        rf"(?:manda|mandame|envia|enviame|pasa|pasame|muestra|muestrame|ensena|ensename|"
        rf"mandas|envias|pasas|muestras|regalame)(?: \w+){{0,3}} {_IMG_ES}",
        r"(?:quiero|puedo|dejame|me dejas) ver(?: \w+){0,2} (?:tu cuerpo|sin ropa|desnud[oa]|"
        r"algo (?:mas )?(?:picante|sexy|atrevido)|mas de ti)",
        r"(?:quitate|sacate) (?:la|el|tu) (?:ropa|camisa|blusa|playera|brasier)",
        r"fotos?(?: \w+){0,2} (?:en|con|sin) (?:ropa interior|calzones|brasier|lenceria|bikini|"
        r"traje de bano|toalla)",
        r"(?:quiero|dejame|puedo) ver mas de ti",
        r"foto (?:de cuerpo completo|frente al espejo)(?: \w+){0,3} (?:sin|con poca|en)",
        r"(?:mandame|pasame|enviame|manda|pasa|envia|mandas|pasas)(?: una| unas)? fotos? (?:en|con|"
        r"sin) (?:ropa interior|calzones|brasier|toalla|lenceria|poca ropa|ropa|playera|camisa|"
        r"blusa|nada)",
    ),
    # platform_migration: another app, a private chat, a video call.
    *_p(
        "platform_migration",
        0.85,
        "en",
        rf"(?:add|hmu|text|message|dm|hit|call|find|follow|msg) me(?: up| back)? (?:on|at|in|via)"
        rf"(?: my)? {_APPS}",
        rf"(?:let's|lets|let us|we should|can we|could we|wanna|want to|i want to|we can|"
        rf"how about we|why don't we|we could) (?:move|switch|go|talk|chat|continue|take this|"
        rf"take it|keep talking|talk more)(?: \w+){{0,3}} (?:to|on|over to|in|onto) "
        rf"(?:a |an |the )?{_APPS}",
        r"(?:what's|whats|what is|send me|give me|drop|tell me) (?:your|ur) (?:snapchat|number|"
        r"cell|phone number|telegram|whatsapp|kik|discord|skype)",
        r"(?:this app|this chat|this site|here) (?:is not|is|isn't|isnt) (?:safe|private|secure)",
        r"(?:got|have|you have|do you have|u got|you got|you on|are you on) (?:whatsapp|snap|"
        r"snapchat|telegram|kik|discord|insta|signal|wickr)\b",
        rf"(?:rather|prefer to|better to|easier to) (?:chat|talk|text|message) (?:on|over|in|"
        rf"through|via) {_APPS}",
        rf"(?:switch|move|hop|go|jump) (?:over )?(?:to|on|onto) {_APPS}",
        rf"(?:come|get|hop|jump|download|install|use|join me) (?:on )?(?:a |the )?{_APPS}",
        r"(?:let's|lets|let us|we should) go private",
        r"(?:delete|uninstall) this (?:app|chat)",
        r"(?:this chat|this app|this site|here) (?:is )?(?:monitored|watched|recorded|checked)",
        r"this app (?:saves|records|logs|reads|monitors|keeps) "
        r"(?:everything|our|all|messages|chats)",
        r"(?:video|cam|face) ?(?:call|chat|time)(?: \w+){0,4} (?:alone|private|now|tonight|just us|"
        r"just you and me|where no one)",
        r"(?:get|go) on (?:cam|camera|video)(?: \w+){0,3} (?:for me|with me|alone|tonight)",
    ),
    *_p(
        "platform_migration",
        0.85,
        "es",
        r"(?:agregame|agrega me|escribeme|hablame|buscame|sigueme|llamame|mandame mensaje)"
        r"(?: \w+){0,2} (?:en|al|por) (?:snap|snapchat|whatsapp|telegram|insta|instagram|"
        r"discord|kik|privado|mi numero)",
        r"(?:vamos|pasemos|hablemos|sigamos|platiquemos|nos vamos|nos pasamos|hablamos)"
        r"(?: \w+){0,2} (?:a|por|en|al) (?:whatsapp|telegram|snap|snapchat|privado|otra app|"
        r"discord|kik|instagram)",
        r"(?:pasame|dame|cual es) tu (?:numero|snap|snapchat|whatsapp|telegram|cel|celular)",
        r"videollamada(?: \w+){0,4} (?:sol[oa]s?|privad[oa]|ahora|esta noche)",
        r"(?:esta app|aqui) no es (?:segur[oa]|privad[oa])",
        r"(?:pasame|dame|mandame) tu (?:whats|wasap|wsp|watsap|snap|insta|tele)",
        r"(?:tienes|usas) (?:whatsapp|telegram|snap|snapchat|discord)",
        r"(?:vamonos|vamos|pasemos) a (?:privado|un chat privado)",
        r"(?:borra|desinstala) (?:esta|la) (?:app|aplicacion)",
        r"(?:este chat|esta app|aqui) (?:lo |la )?(?:revisan|vigilan|graban|leen)",
    ),
    # reciprocation: a trade, "I'll go first".
    *_p(
        "reciprocation",
        0.85,
        "en",
        r"(?:i'll|i will|i can|let me|ill) (?:show|send) (?:you )?(?:mine|one|a pic|a photo|first"
        r"|you mine|one first|mine first)(?: \w+){0,4} (?:if|then|and|first|too)",
        r"(?:you show|show) me (?:yours|urs)",
        r"(?:you show|you send|send) me(?: \w+){0,2} (?:and|then) (?:i will|i'll|ill|i) "
        r"(?:show|send) (?:you|u)",
        r"(?:show|send) (?:you )?(?:mine|me yours) if (?:you|u)",
        r"(?:trade|swap|exchange) (?:pics|photos|nudes|snaps|pictures)",
        r"(?:i sent|i just sent|i showed|i showed you|i already sent)(?: you)? (?:mine|one|a pic|"
        r"a photo|you one)(?: \w+){0,4} (?:your turn|now you|send one back|send me one|return)",
        r"(?:your turn|ur turn|now it's your turn|fair is fair|only fair)",
        r"(?:i'll|i will|i can|let me) go first",
        r"(?:i'll|i will|let me|i can) (?:send|show)(?: you)? (?:one|a pic|a photo|mine)"
        r"(?: \w+){0,3} first",
        r"(?:one of me|mine) (?:first|for yours|for one of yours)",
        r"(?:for|in exchange for|in return for) (?:one of yours|yours)",
        r"(?:i|i've|i have) (?:already |just )?(?:showed|shown|sent) (?:you )?mine",
        r"trade (?:you )?(?:one|a) (?:pic|photo|picture)",
        r"(?:one|a) (?:pic|photo|picture) for (?:one|a) (?:pic|photo|picture)",
    ),
    *_p(
        "reciprocation",
        0.85,
        "es",
        r"(?:yo te (?:muestro|mando|paso|enseno|envio)|"
        r"te (?:muestro|mando|paso|enseno) (?:la |el )?"
        r"mi[as]?)(?: \w+){0,4} (?:si tu|y tu|primero|luego tu)",
        r"si (?:tu )?me (?:muestras|mandas|pasas|ensenas) (?:la |el )?tu[as]?",
        r"(?:intercambi(?:o|ar|emos|amos)|cambiamos) (?:fotos|packs|nudes)",
        r"(?:te toca|ahora tu|yo ya te mande|ya te mande la mia)",
        r"yo (?:voy )?primero",
    ),
    # fake_modeling_agency: a scout, an agency, a paid shoot.
    *_p(
        "fake_modeling_agency",
        0.85,
        "en",
        r"(?:modell?ing|model|talent|casting) (?:agency|scout|contract|gig|job|opportunity|"
        r"company|manager|agent|portfolio)",
        r"(?:i am|i'm|im|we are|i work for|i represent|i'm with|working with) (?:a |an )?"
        r"(?:\w+ )?(?:scout|photographer|talent agent|modell?ing agency|talent agency|casting)",
        r"(?:you could|you should|you can) be (?:a )?(?:model|famous)",
        r"(?:test|trial|sample|practice|audition) (?:shots|photos|pics)(?: \w+){0,4} "
        r"(?:underwear|bikini|lingerie|swimsuit|less|without)",
        r"(?:paid|pay you|get paid|earn)(?: \w+){0,4} (?:photo ?shoot|shoot|modell?ing|posing|"
        r"pics|photos)",
        r"(?:brand|sponsor|sponsorship) (?:deal|ambassador)(?: \w+){0,6} (?:pics|photos|send)",
        r"(?:modell?ing|model|talent) (?:page|account|account for teens|page for teens)",
        r"(?:run|manage|own|have) a (?:modell?ing|model|talent|fashion) (?:page|agency|account|"
        r"company)",
    ),
    *_p(
        "fake_modeling_agency",
        0.85,
        "es",
        r"(?:agencia de (?:modelos|talentos)|cazatalentos|busco modelos|contrato de modelo|"
        r"podrias ser modelo|puedes ser modelo|sesion de fotos pagada|soy fotografo)",
        r"(?:fotos|sesion) de prueba(?: \w+){0,4} (?:ropa interior|bikini|lenceria|traje de bano)",
        r"(?:te pagamos|te pago|pagamos|ganar dinero)(?: \w+){0,4} (?:por fotos|modelando|posar)",
    ),
    # relationship_building: love-bombing, flattery of maturity, secrecy.
    *_p(
        "relationship_building",
        0.8,
        "en",
        r"(?:so |really |very )?mature for (?:your|ur|a) (?:age|\d+)",
        r"(?:nobody|no one|noone) (?:understands|gets|knows|loves|cares about) (?:you|u) "
        r"(?:like|the way|as much as) (?:i|me)",
        r"(?:this is |it's |its |keep (?:this|it|us|that) (?:a |our )?|our little |our )"
        r"(?:our )?(?:little )?secret",
        r"(?:don't|do not|never) (?:tell|show|mention)(?: this| it| us| me)? (?:to )?"
        r"(?:your|ur|anyone|anybody|nobody|your parents|your mom|your dad|your friends)",
        r"(?:your|ur) (?:parents|mom|dad|friends) (?:don't|do not|wouldn't|would not|won't|will "
        r"not|can't) (?:understand|get it|get us|let us)",
        r"(?:you can|u can) (?:always )?trust me",
        r"(?:you're|you are|ur) (?:different|special|not like|the only one|my everything|so "
        r"special)(?: \w+){0,3} (?:other|girls|boys|kids|people|to me|i've|i have)",
        r"(?:i|i've|i have) (?:think|thinking|thought|been thinking) (?:about|of) (?:you|u) "
        r"(?:all|every|nonstop|constantly)",
        r"(?:i love you|i'm in love with you|love you so much|you're my girlfriend|you're my "
        r"boyfriend|be my girlfriend|be my boyfriend)",
        r"(?:delete|clear|erase) (?:our|the|these|this) (?:messages|chat|chats|conversation|texts)",
        r"(?:not like|different from|unlike|more mature than) (?:most|other|the other|all the)"
        r" (?:kids|girls|boys|people|teens)",
        r"(?:you seem|you're|you are) (?:so |really |way )?(?:more )?(?:mature|grown up|older than)"
        r"(?: \w+){0,3}(?: your age| for your age)?",
        r"(?:nobody|no one|noone) (?:has to|needs to|will ever|would ever|is going to) know",
        r"(?:you are|you're|your|ur) (?:so|really|very|super) mature\b",
        r"\bage (?:is just a number|doesn't matter|does not matter|is nothing)\b",
        r"(?:i'll|i will|i can|let me|i could) (?:buy|get|send|give) you (?:some |a |an )?(?:robux|"
        r"v-?bucks|gift cards?|a new phone|money|cash|anything|whatever you want|skins|clothes)",
        r"(?:you can|u can) tell me anything",
        r"(?:i'll|i will|i'd|i would) never (?:judge|hurt|leave) you",
        r"(?:i'm|i am) always here for you",
        r"(?:can't|can not|cant) stop thinking about (?:you|u)",
        r"(?:keep|let's keep|lets keep) (?:us|this|it|our chats?|our talks?) (?:private|between us|"
        r"to ourselves)",
        r"(?:only one|the only one) (?:who|that) (?:gets|understands|knows) (?:me|you)",
    ),
    *_p(
        "relationship_building",
        0.8,
        "es",
        r"(?:muy |tan |bien )?madur[oa] para tu edad",
        r"(?:nadie|ninguno|ninguna) te (?:entiende|comprende|quiere|conoce) como yo",
        r"(?:es |sera |que sea )?nuestro (?:pequeno )?secreto",
        r"no (?:le )?(?:digas|cuentes|muestres|ensenes)(?: \w+){0,2} (?:a nadie|a tus (?:papas|"
        r"padres|amigos|amigas)|a tu (?:mama|papa|familia))",
        r"(?:tus papas|tus padres|tu mama|tu papa) no (?:entienden|entenderian|lo entenderian)",
        r"puedes confiar en mi",
        r"(?:eres|estas) (?:muy |tan )?(?:especial|diferente)(?: \w+){0,3} (?:para mi|a las "
        r"demas|a los demas|a otr[oa]s)",
        r"(?:te amo|estoy enamorad[oa] de ti|se mi novi[oa]|eres mi novi[oa])",
        r"(?:borra|borremos|elimina) (?:los|estos|nuestros) (?:mensajes|chats)",
        r"(?:eres|estas) diferente a (?:las|los) (?:demas|otras|otros)",
        r"no eres como (?:las|los) (?:demas|otras|otros)",
        r"confia en mi",
        r"la edad (?:es solo un numero|no importa)",
        r"(?:te compro|te regalo|te mando|te doy|te paso) (?:robux|recargas?|saldo|tarjetas? de "
        r"regalo|dinero|un celular|lo que quieras)",
        r"(?:puedes|me puedes) contar(?:me)? (?:lo que sea|todo|cualquier cosa)",
        r"(?:nunca|jamas) te (?:juzgaria|lastimaria|dejaria)",
        r"(?:siempre estoy|estoy siempre) para ti",
        r"no (?:dejo|puedo dejar) de pensar en ti",
        r"(?:que quede|esto queda) entre (?:nosotros|tu y yo)",
    ),
    # multiple_identities: a new account after a block, a friend's account, a changing name.
    *_p(
        "multiple_identities",
        0.85,
        "en",
        r"(?:this is|it's|its|im on|i'm on|using|on) (?:my )?(?:friend's|friends|cousin's|"
        r"cousins|brother's|other|new|second|backup|alt|fake|old) (?:account|acc|profile|page|"
        r"number|snapchat|instagram)",
        r"(?:you|u) blocked (?:me|my|my other|my old)",
        r"why (?:did|would) (?:you|u) block",
        r"(?:thought|said|told me) (?:your|ur) name (?:was|is)",
        r"(?:told you|said|thought) my name (?:was|is)",
        r"(?:my|this is my) (?:new|other|backup|second|alt) (?:account|acc|profile|number|page)",
        r"(?:made|making|make) (?:another|a new|a second|a fake) (?:account|profile|page)",
        r"\bmy (?:friend's|friends|cousin's|cousins|brother's|brothers|sister's|sisters|other|new|"
        r"second|backup|alt|fake|old) (?:account|acc|profile|page|number)\b",
        r"\bblocked (?:me )?again\b",
        r"(?:can't|can not|cant|won't|will not) get rid of me",
        r"\b(?:my alt|new (?:number|acc|account|profile)(?: \w+){0,3} (?:its|it's|it is) me|"
        r"(?:its|it's|it is) me (?:from before|again|from earlier|from the other))\b",
        r"(?:my (?:friend|cousin|brother|buddy)|a friend of mine) (?:will|wants to|is going to|"
        r"gonna) (?:message|text|talk to|dm|add) (?:you|u)",
    ),
    *_p(
        "multiple_identities",
        0.85,
        "es",
        r"(?:es|esta es|estoy en) (?:la )?cuenta de (?:mi )?(?:amig[oa]|prim[oa]|herman[oa])",
        r"(?:mi|esta es mi) (?:nueva|otra|segunda) cuenta",
        r"(?:me bloqueaste|por que me bloqueaste)",
        r"(?:pense|dijiste|me dijiste) que te llamabas",
        r"(?:hice|cree|abri) (?:otra|una nueva) cuenta",
    ),
    # identity_misrepresentation: marked at the first slip, not at the claim.
    *_p(
        "identity_misrepresentation",
        0.85,
        "en",
        r"(?:you said|you told me|u said|thought) (?:you|u) (?:were|was|are) (?:\d+|a girl|a boy|"
        r"a teen|my age|in (?:\d+th|high|middle)|younger|a kid)(?: \w+){0,6} (?:but|and now|why|"
        r"how|then)",
        r"(?:your|ur) (?:voice|face|pic|picture|photo|profile pic) (?:sounds?|looks?|is) "
        r"(?:old|older|like an adult|like a man|like a grown|fake|like someone else)",
        r"(?:that's|thats|that is|it's) not (?:you|u|really you) in (?:the|that|your) (?:pic|"
        r"photo|picture|video)",
        r"(?:you|u) (?:look|sound|seem) (?:way )?(?:older|like an adult|like a grown)",
        r"(?:reverse image|image search)(?: \w+){0,6} (?:someone else|another|different|stock)",
        r"(?:how|why) (?:do|does|are|would) (?:you|a \d+ year old)(?: \w+){0,3} (?:have|drive|got)"
        r" (?:a car|a job|an apartment|a wife|kids|a license)",
        r"(?:you told me|you said|u said) (?:you|u) (?:were|are|was) \d+(?: \w+){0,8} (?:but|and) "
        r"(?:you )?(?:just )?(?:said|told me|have|got|mentioned)",
        r"(?:said|mentioned) (?:your|ur) (?:daughter|son|kids|wife|husband|grandkids) "
        r"(?:is|are|was)",
    ),
    *_p(
        "identity_misrepresentation",
        0.85,
        "es",
        r"(?:dijiste|me dijiste) que (?:tenias \d+|eras (?:una chica|un chico|de mi edad|menor))"
        r"(?: \w+){0,6} (?:pero|y ahora|por que|como)",
        r"(?:tu )?(?:voz|cara|foto) (?:suena|se ve|parece) (?:de )?(?:mayor|adulto|de un senor|"
        r"falsa|de otra persona)",
        r"(?:esa|esta) no eres tu en la foto",
        r"(?:pareces|te ves) (?:mucho )?mayor",
    ),
    # account_compromise: passwords, login codes, "I got into your account".
    *_p(
        "account_compromise",
        0.9,
        "en",
        r"(?:what's|whats|what is|send me|give me|tell me|i need|need) (?:your|ur) (?:password|"
        r"pass|passcode|login|log in|verification code|security code|pin|2fa code|icloud)",
        r"(?:send|give|tell|read) (?:me )?(?:the|that) (?:code|6 digit code|six digit code|"
        r"verification code|login code|security code)(?: \w+){0,5}",
        r"(?:what's|whats|what is) the (?:\d+ digit |six digit |verification |login |security )?"
        r"code",
        r"(?:i|we) (?:got|have|hacked|got into|am in|accessed|broke into|logged into)(?: into)? "
        r"(?:your|ur)(?: \w+)? (?:account|icloud|cloud|snapchat|instagram|google photos|drive|"
        r"gallery|phone|my eyes only|email|photos)",
        r"(?:i have|i've got|i got|i downloaded|i saved) (?:all )?(?:your|ur) (?:photos|pics|camera"
        r" roll|gallery|memories|my eyes only|private photos)",
        r"(?:your|ur) (?:apple id|icloud|google|gmail|snapchat|snap|instagram|insta|tiktok|"
        r"facebook) (?:password|login|pass|passcode|code)",
    ),
    *_p(
        "account_compromise",
        0.9,
        "es",
        r"(?:dame|pasame|mandame|dime|cual es) (?:tu )?(?:contrasena|clave|password|codigo de "
        r"verificacion|codigo)",
        r"(?:entre|me meti|hackee|tengo acceso|accedi)(?: a| en)? tu (?:cuenta|icloud|nube|"
        r"galeria|snap|insta|correo|celular)",
        r"el codigo que te (?:llego|mandaron)",
        r"tu (?:contrasena|clave|password) de (?:instagram|insta|snap|snapchat|icloud|facebook|"
        r"tiktok|google|correo)",
        r"tengo (?:todas )?tus fotos(?: \w+){0,3} (?:de tu|del) (?:celular|icloud|galeria|nube)",
    ),
    # deepfake_threat: making or editing sexual images of the child.
    *_p(
        "deepfake_threat",
        0.95,
        "en",
        r"(?:i'll|i will|i can|i'm going to|going to|i could|i'm gonna|watch me|easy to) "
        r"(?:make|create|edit|photoshop|put|generate|turn|ai)(?: \w+){0,6} (?:nude|nudes|naked|"
        r"porn|sexual|fake|deepfake|undressed|explicit)",
        r"(?:put|paste|edit) (?:your|ur) face (?:on|onto|into)",
        r"(?:your|ur) face on (?:a |an )?(?:naked|nude|porn|sex)",
        r"\b(?:undress|nudify|nudifier|deepnude) (?:app|ai|bot|site|tool)",
        r"(?:photoshop|edit|morph|ai)(?: \w+){0,2} you (?:into|naked|nude|undressed|without)",
        r"(?:i can|i'll|i will|i could) (?:photoshop|edit|morph) you",
        r"(?:ai|app|photoshop|deepfake|undress app|nudify)(?: \w+){0,4} (?:nude|naked|undress|"
        r"porn|without clothes|make you)",
        r"(?:nobody|no one|noone) will (?:know|believe|care) (?:it's|its|that it's|they're) "
        r"(?:fake|edited|not you|ai)",
    ),
    *_p(
        "deepfake_threat",
        0.95,
        "es",
        r"(?:voy a|puedo|te voy a|podria) (?:hacer|crear|editar|poner|generar|montar)"
        r"(?: \w+){0,6} (?:desnud[oa]s?|porno|fake|falsas?|sin ropa|intimas?)",
        r"(?:pongo|poner|pegar|pego) tu cara (?:en|sobre)",
        r"(?:con |una )?(?:ia|inteligencia artificial|app)(?: \w+){0,4} (?:desnud|sin ropa|porno)",
        r"nadie (?:va a saber|sabra|creera) que (?:es|son) (?:falsa|falsas|fake|editad[oa]s?)",
    ),
    # sextortion_threat: sharing images unless demands are met; the follower screenshot.
    *_p(
        "sextortion_threat",
        0.95,
        "en",
        rf"(?:i'll|i will|i'm going to|im going to|going to|i'm gonna|gonna|i can|i'm about to|"
        rf"about to|or i|ill)(?: \w+){{0,2}} {_SHARE_EN}(?: \w+){{0,5}} (?:to |with |on |at )?"
        rf"(?:all |every |your |ur |the )?(?:\w+ )?{_AUDIENCE_EN}",
        r"(?:screenshot|screenshotted|screen shot|screenshotted all|i have|i saved|i got|"
        r"i've got|copied)(?: \w+){0,3} (?:your|ur|all your|all ur) (?:followers|"
        r"follower list|friends list|friend list|contacts|following|family)",
        r"(?:or else|or everyone|or your|unless you|if you don't|if u dont|if you do not)"
        r"(?: \w+){0,6} (?:sees?|see it|posted|everyone|followers|friends|family|school|leak|"
        r"ruin|it goes out|i send|i post|i share)",
        r"(?:ruin|destroy|end) (?:your|ur) (?:life|reputation|future)",
        rf"(?:going to|gonna|will|about to) {_SHARE_EN} (?:it|them|this|these|your \w+) "
        r"(?:everywhere|online|all over|on the internet|publicly)",
        r"(?:everyone|everybody|your whole school|all your friends) (?:will|is going to|gonna) "
        r"(?:see|know)",
        r"(?:i know|i found) where (?:you|u) (?:live|go to school)",
        r"(?:you have|u have|you got) (?:\d+|one|two|ten|five|thirty) (?:minutes|mins|hours|hrs"
        r"|seconds)",
        r"(?<!gamer )(?:tag|tagging|tagged)(?: \w+){0,4} (?:school|friends|family|page|"
        r"followers|class)",
        r"(?:your |ur |all your )(?:followers|friends|family|school|parents|mom|dad|classmates) "
        r"(?:get|gets|will"
        r" get|are getting|see|sees|will see|receive)(?: \w+){0,2} (?:your |it|them|this|"
        r"everything|whole|all|every|each|pics|photos|video|folder|"
        # "...will see the pics", not "...will see the play tonight".
        r"the (?:pics?|photos?|pictures?|videos?|vids?|screenshots?|chat|messages|nudes))",
        r"(?:want|wanna) (?:everyone|everybody|your friends|your family|your parents|your school)"
        r" to see",
        r"\b(?:expose|exposing|leak|leaking) (?:you|ur|your)\b",
        r"(?:everyone|everybody|all) (?:on|in) (?:your|ur) "
        r"(?:list|contacts|followers|friends list)",
        r"(?:your|ur) reputation (?:is )?(?:done|over|ruined|finished)",
        r"(?:if|when) (?:this|it|these|they) (?:gets?|go|goes) out",
        r"(?:i'll|i will) make sure (?:everyone|everybody|your \w+) (?:sees|knows|finds out)",
        r"(?:screenshots?|screen shots?|a list|pics?) of (?:everyone|everybody|all the people|all "
        r"your \w+) (?:who|that) (?:follows|follow|knows|know)",
        r"you know what (?:happens|will happen|i will do|i'll do)(?: \w+){0,3} if (?:you|u) "
        r"(?:do not|don't|dont|won't|will not|refuse|block|tell|say no)",
    ),
    *_p(
        "sextortion_threat",
        0.95,
        "es",
        rf"(?:voy a|lo voy a|las voy a|la voy a|te voy a|los voy a|puedo|si no)(?: \w+){{0,2}} "
        rf"{_SHARE_ES}(?: \w+){{0,5}} (?:a |con |en |por )?(?:todos |tus |tu )?{_AUDIENCE_ES}",
        r"(?:tengo|guarde|hice|saque) (?:captura|capturas|screenshot)(?: \w+){0,3} (?:de )?"
        r"(?:tus )?(?:seguidores|contactos|amigos|lista)",
        r"(?:o si no|si no lo haces|si no me|a menos que)(?: \w+){0,6} (?:todos|seguidores|"
        r"amigos|familia|escuela|publico|subo|mando)",
        r"(?:arruinar|arruino|destruir)(?:te)? (?:la|tu) vida",
        r"todos (?:lo |las )?(?:van a ver|veran|sabran)",
        # ("Te voy a quemar en el fut" is beating someone at football.)
        r"(?:te voy a|voy a) (?:exponer|quemar|balconear|evidenciar)"
        r"(?! en el (?:fut|partido|juego))",
        r"(?:todos|toda la gente) (?:en|de) tus (?:contactos|seguidores|amigos)",
        r"(?:si esto sale|cuando esto salga|si se filtra)",
        r"(?:tienes|tenes) (?:\d+|una|dos|diez|cinco) (?:minutos|horas)",
        r"(?:se las|se los|se lo|se la) (?:paso|mando|envio|enseno|muestro|doy) a (?:tus|tu|todos)",
        r"(?:subirlas|subirla|subirlos|subirlo|mandarlas|mandarla|publicarlas|publicarla|pasarlas|"
        r"enviarlas|mostrarlas|ensenarlas)(?: \w+){0,2} (?:a|en|con|por) (?:tu|tus|todo|todos)",
        r"(?:tus papas|tus padres|tus amigos|tus seguidores|tu escuela|tu familia) (?:van a ver|"
        r"las veran|lo veran|se van a enterar|las van a ver)",
    ),
    # financial_demand: money, gift cards, payment apps.
    *_p(
        "financial_demand",
        0.9,
        "en",
        rf"(?:send|pay|give|transfer|wire|get|need|want|owe)(?: me)?(?: \w+){{0,2}} {_MONEY_EN}",
        rf"(?:send|pay|put|transfer)(?: \w+){{0,4}} (?:on|to|through|via|with|over) (?:my )?"
        rf"{_PAY_APPS}",
        rf"{_PAY_APPS}(?: \w+){{0,4}} (?:now|right now|today|tonight|or|asap|immediately|"
        rf"\$ ?\d+|\d+ dollars)",
        r"(?:how much|what) (?:money|cash)(?: \w+){0,3} (?:do you|can you|you got|you have)",
        r"\$[a-z][\w-]{2,}",
        r"(?:buy|get)(?: me)? (?:a |some )?(?:gift ?cards?|steam cards?|itunes cards?|amazon "
        r"cards?|google play cards?)",
        # An amount or a way to pay, with a deadline or an "or": "$250 by midnight or it's out".
        rf"^(?=.*(?:\$ ?\d+|\b\d+ ?(?:dollars|bucks)\b|gift ?cards?|bitcoin|{_PAY_APPS}))"
        r"(?=.*\b(?:by (?:midnight|tonight|tomorrow|\d+)|before|tonight|today|right now|or else|"
        r"or it|or i|unless|in \d+ (?:hours?|minutes?|mins))\b)",
        r"(?:you're|you are|you) (?:gonna|going to) pay\b",
        r"\bpay (?:me )?(?:up|now|\$ ?\d+|\d+)\b",
        r"get (?:it|the money|money|the cash) from (?:your|ur) (?:parents|mom|dad|family)",
        r"\b(?:in|with|as) (?:gift ?cards?|apple cards?|steam cards?|google play)\b",
    ),
    *_p(
        "financial_demand",
        0.9,
        "es",
        rf"(?:mandame|enviame|pasame|deposita|depositame|transfiere|transfiereme|paga|pagame|"
        rf"dame|quiero|necesito)(?: \w+){{0,3}} {_MONEY_ES}",
        rf"(?:por|en|a|al) {_PAY_ES}(?: \w+){{0,3}} (?:ahora|ya|hoy|o si no|\$ ?\d+)",
        r"(?:cuanto|cuanta) (?:dinero|plata|lana)(?: \w+){0,3} (?:tienes|puedes)",
        r"(?:mandas|pagas|depositas|das|pasas|transfieres)(?: \w+){0,2} \d+ "
        r"(?:pesos|dolares|soles)",
    ),
    # content_demand: more images or video under pressure (the first request is another flag).
    *_p(
        "content_demand",
        0.85,
        "en",
        r"(?:send|i want|i need|give me|do|make|record|take)(?: me)? (?:more|another|one more|"
        r"a video|videos|a vid|more videos|a new one|a better one|a clearer one)(?: \w+){0,4}",
        r"(?:get|go) on (?:cam|camera|facetime|video)(?: \w+){0,3} (?:or|now|right now|unless)",
        r"(?:do (?:it|what i say)|you'll do (?:it|what i say)|you have to do it)(?: \w+){0,3}"
        r" (?:or|now|again)",
        r"(?:again|this time)(?: \w+){0,3} (?:without|no clothes|naked|with your face)",
        r"(?:with|show) (?:your|ur) face (?:in it|this time|showing)",
        r"\bone more(?: \w+){0,3} (?:and|then|or)\b",
        r"(?:send|do|make|record|take) one more",
        r"(?:you'll|you will|you're going to|you are going to) (?:send|do) "
        r"(?:whatever|what|anything) i (?:say|ask|want|tell you)",
        r"(?:more|another|new) (?:videos?|vids?|pics?|photos?) (?:every|each) (?:day|night|week)",
        r"(?:do it|do that|send it) on (?:video|cam|camera) (?:this time|now|again)",
        # More of what was sent, and a demand on how: "another video, longer this time".
        r"^(?=.*\b(?:another|more|again|one more)\b)(?=.*\b(?:videos?|vids?|pics?|photos?|"
        r"pictures?|one)\b)(?=.*\b(?:longer|closer|better|clearer|this time|face|now|tonight|"
        r"or else|or i)\b)",
        r"with (?:your|ur) face (?:this time|in it|showing|visible)",
    ),
    *_p(
        "content_demand",
        0.85,
        "es",
        r"(?:manda|mandame|envia|enviame|quiero|necesito|pasame|haz|graba)(?: me)? (?:mas|otra|"
        r"otro|un video|videos|una mejor|una nueva)(?: \w+){0,4}",
        r"(?:en vivo|por camara|en videollamada)(?: \w+){0,3} (?:o si no|ahora|ya)",
        r"(?:con tu cara|que se vea tu cara)",
        r"(?:vas a|tienes que) (?:mandar|hacer) (?:lo que|todo lo que) (?:yo )?"
        r"(?:diga|pida|quiera)",
        r"(?:un video|videos|fotos) (?:cada|todas las) (?:noche|noches|dia|dias)",
    ),
    # victim_distress: the child in panic, hopelessness, self-harm.
    *_p(
        "victim_distress",
        0.95,
        "en",
        r"(?:i|i am|i'm)? ?(?:just |really |honestly |literally )?(?:want to|wanna|going to|"
        r"gonna|will|should|might as well) (?:just )?(?:die|kill myself|end it|end my life|"
        r"disappear|not be here|hurt myself|cut myself|vanish)",
        r"(?:there's|there is|theres|i see|i have|i got) no (?:way out|point|reason to live|hope)",
        r"(?:no way out|nowhere to go|better off dead|don't want to live|do not want to live|"
        r"don't want to be alive|do not want to be alive|want to be dead|wish i was dead|"
        r"wish i were dead|end it all)",
        r"(?:my life is|i'm|i am|my life's) (?:over|ruined|done|finished)",
        r"(?:i'm|i am|im) (?:so |really |literally )?(?:scared|terrified|panicking|freaking out|"
        r"shaking|losing it|desperate)",
        r"(?:i can't|i can not|i cant|can not|can't) (?:do this|take (?:this|it)|breathe|handle "
        r"(?:this|it)|stop crying|live like this)(?: \w+){0,2}",
        r"(?:suicide|suicidal|self harm|kill myself|hurt myself)",
        r"(?:my parents|everyone|my mom|my dad) (?:will|would|are going to|gonna) (?:hate|kill|"
        r"disown) me",
        r"(?:don't|do not|dont) want to be (?:here|alive|around) anymore",
        r"(?:going to|gonna|might|i'll|i will) hurt myself",
        r"(?:i'm|i am|im) (?:literally |so |really )?shaking",
    ),
    *_p(
        "victim_distress",
        0.95,
        "es",
        r"(?:me quiero|quiero|me voy a|voy a) (?:morir|matar|matarme|desaparecer|hacer dano|"
        r"cortar)",
        r"no (?:hay|tengo|veo) (?:salida|otra salida|razon para vivir)",
        r"(?:ya )?no (?:puedo|aguanto)(?: \w+){0,2} (?:mas|con esto|respirar)",
        r"(?:mi vida (?:esta|se) )?(?:arruinada|acabo|termino)",
        r"(?:tengo|estoy) (?:mucho |muy )?(?:miedo|aterrad[oa]|en panico|desesperad[oa])",
        r"(?:mis papas|mis padres|mi mama|mi papa|todos) me (?:van a odiar|odiaran|van a matar)",
        r"(?:suicid|hacerme dano|lastimarme)",
        r"no puedo respirar",
    ),
]

# Guards ---------------------------------------------------------------------------------------

# Someone else's words, retold: "some account told me to add her on snap".
REPORTED = re.compile(
    r"(?:^|\b)(?:he|she|they|someone|somebody|some (?:guy|girl|account|person|dude|random|man|"
    r"kid|creep|scammer)|this (?:guy|girl|account|person|dude|man|creep)|the (?:guy|girl|"
    r"scammer|man|person|account|predator|creep)|a (?:guy|girl|kid|friend|boy|man|stranger)|"
    r"my (?:friend|cousin|sister|brother|classmate|mom|mum|dad|uncle|aunt|grandma|grandpa|"
    r"teacher|coach)|people|scammers?|predators?|el|ella|alguien|mi (?:tio|tia|abuela|abuelo|"
    r"mama|papa|maestra|maestro)|"
    r"un (?:tipo|chico|senor|man|wey)|una (?:chica|cuenta|persona)|mi (?:amiga|amigo|prima|"
    r"primo))(?: \w+){0,3} (?:said|says|told|tells|asked|asks|wanted|wants|kept|keeps|tried|"
    r"was asking|threatened|messaged|dmed|dm'd|sent|would|was like|goes|made|created|opened|"
    r"started|posted|asking|telling|saying|sending|threatening|wanting|logged|hacked|sends|"
    r"gives|gave|"
    r"broke|stole|leaked|dijo|pidio|pidieron|"
    r"dijeron|amenazo|escribio|queria|quiso|me mando|dice|dicen|decia|cuenta|conto)|"
    # A message quoted: "got a message saying 'send nudes or...'".
    r"\b(?:message|messages|text|texts|dm|dms|mensaje|mensajes) (?:saying|that said|said|like|"
    r"que decia|diciendo)\b"
)
# Explaining the red flags, the news, moderators talking shop.
EDUCATION = re.compile(
    r"\b(?:red flags?|warning signs?|signs of|sextortion|grooming|scam|scams|scammers?|"
    r"predators?|if (?:someone|anyone|a stranger|they|somebody|a person) (?:ever )?(?:asks|ask|"
    r"threatens|wants|says|tells|sends|tries|pressures)|never send|don't ever send|report (?:it|"
    r"them|the account)|ncmec|cybertip|take it down|the article|the news|on the news|this story|"
    r"news story|they taught us|at school today|assembly|counsell?or|training|policy|"
    r"moderation|moderators?|the queue|the ticket|escalate|flagged (?:for|as)|trust and safety|"
    r"si alguien (?:te )?(?:pide|amenaza|dice)|senales de alerta|nunca mandes|en las noticias|"
    r"la noticia|el articulo|estafa|estafadores?|denuncialo|reportalo)\b"
)
# A speaker who has started explaining the red flags (a teacher, a counsellor, a moderator) is
# still explaining in the next message ("another is when they move you to a different app"):
# for the rest of the conversation, only the patterns' precise words count from them.
TEACHING = re.compile(
    r"\b(?:red flags?|warning signs?|signs of|online safety|today's topic|senales de alerta|"
    r"counsell?or|moderators?|moderation|trust and safety|"
    r"if (?:someone|anyone|a stranger|somebody) "
    r"(?:ever )?(?:asks|threatens|wants|tells|tries|pressures)|si alguien (?:te )?(?:pide|"
    r"amenaza|dice))\b"
)
# Details the child told ("did you see my story from the game?") are not details studied: a
# reply about them is not reconnaissance.
SELF_TOLD = re.compile(
    r"\b(?:my|mi|mis) (?:story|stories|post|posts|profile|page|video|videos|pics|photos|game|"
    r"match|team|recital|tiktok|insta|instagram|historia|historias|publicacion|perfil|partido|"
    r"equipo|fotos)\b|"
    # ...and details a parent passed on ("your mom sent me the video") were not studied either.
    r"\b(?:your|ur|tu|tus) (?:mom|mum|dad|parents|mama|papa|papas) (?:sent|showed|told|"
    r"forwarded|me mando|me enseno|me conto)\b"
)
# "I'm dying lol": hyperbole, not distress.
# Words of feeling, pain or plea, in either language: the model's own proposal of distress needs
# one (engine._second_stage). Broad on purpose: a stem, not a phrase.
FEELING = re.compile(
    r"\b(?:scared|afraid|terrified|panic|panicking|shaking|crying|cry|die|dying|dead|kill|"
    r"end it|hurt|can not|cant|hopeless|no way out|over|ruined|help|please|sick|throw up|"
    r"breathe|alone|worthless|hate myself|disappear|miedo|asustad|llorando|llorar|morir|muero|"
    r"matar|ayuda|por favor|no puedo|acabar|temblando|vomitar|respirar|desaparecer|sola|solo|"
    r"me odio)"
)
HYPERBOLE = re.compile(
    # Laughter stretched ("lmaooo") is laughter: the second reading of a stretched word keeps two.
    r"\b(?:lo+l|lmf?ao+|haha+|hehe|jk|jaja+|jeje|xd+|rofl|lowkey|ngl|literally dead|"
    r"i am dead|im dead)\b|"
    r"\b(?:homework|test|exam|quiz|this song|the game|cringe|so funny|hilarious|tarea|examen|"
    # Nerves before an event are not panic.
    r"tryouts|audition|recital|presentation|finals|the recital|ensayo|audicion|presentacion|"
    # Nor is fear of the dentist.
    r"dentist|needles|the doctor|vaccine|dentista|inyeccion|vacuna|"
    # Embarrassment and a cancelled show are not despair.
    r"of embarrassment|de verguenza|de la verguenza|favorite show|the finale|cancelled|"
    r"canceled|cancelaron)\b"
)
# Not doing something is not doing it: "please don't send it to my friends".
# A condition is not a negation: "if you don't pay me", "si no me pagas" are the threat itself.
NEGATED = re.compile(
    # ...and "not" after "do" is the "do not" the other branch already judged.
    r"(?<!if you )(?<!if u )(?<!si )(?<!si tu )(?<!do )"
    # A whole word: "baño" ends in "no" and negates nothing.
    r"\b(?:don't|do not|dont|never|please don't|pls dont|won't|will not|wouldn't|no|not|no lo|"
    # "I don't care, find the money": not caring negates nothing that follows.
    # ...and "I can't stop shaking" is shaking.
    r"no las|no me|no le|nunca) (?!care |mind |importa |stop |dejar de |parar de )(?:\w+ ){0,1}$"
)
# Plainly benign contexts, per flag: once seen in a conversation (a bill, a game, a surprise,
# a licensed agency) the flag needs pressure before it counts; MESSAGE_BENIGN ones only count
# in the same message (a show on Netflix earlier says nothing about a later password).
BENIGN = {
    "platform_migration": re.compile(
        r"\b(?:raid|squad|server|clan|lobby|ranked|gaming|minecraft|fortnite|valorant|roblox|"
        r"apex|overwatch|group project|study group|homework group|the game chat|game chat|"
        r"study|studying|streaks|my phone died|new phone|class group|group chat for|"
        r"partida|el server|proyecto en equipo|estudiar|estudiemos|grupo de la escuela|"
        r"grupo del salon|group chat|team chat|team group|the group|al grupo|el grupo|"
        r"grupo de|"
        # A whole group moving ("we should all move to discord for the book club"), or a
        # family's travel ("text me on whatsapp when you land").
        r"we should all|lets all|let's all|all of us|everyone move|book club|todos nos|"
        r"when you land|when you get to the hotel|the wifi|on the plane|at the airport|"
        r"cuando aterrices|en el avion|en el aeropuerto|abroad|data plan|roaming|"
        # Schoolwork together: "facetime tonight and do the math", "tu snap para el proyecto".
        r"homework|the math|math|project|science project|proyecto|ciencias|la tarea|"
        # Friends playing: "come to discord after dinner, we're playing".
        r"we're playing|were playing|we are playing|lets play|let's play|jugando|vamos a jugar|"
        # Asked for a handle to tag someone in a photo: "i'll tag u in the team pic".
        r"tag you in|to tag you|etiquetarte|para etiquetarte)\b"
    ),
    "financial_demand": re.compile(
        r"\b(?:pizza|dinner|lunch|breakfast|tickets?|gas|uber|lyft|rent|split|bill|movie|"
        r"concert|share|your half|owe me|i owe you|paid for|groceries|birthday gift|cena|"
        r"comida|boletos|la cuenta|mitad|te debo|me debes|field trip|school trip|allowance|"
        r"cine|movies|para el cine|"
        r"lunch money|bus fare|school fees|excursion|mesada|para el regalo|regalo de|"
        r"regalo para|gift for|present for|"
        r"jersey|uniform|team fees|dues|registration|pay me back|pay back|devuelves|devuelvas|"
        r"devolver|uniforme|inscripcion|yearbook|anuario|birthday|cumpleanos|every birthday|"
        # Borrowing from a friend: "¿me prestas 200?", "can i borrow $20".
        r"me prestas|prestame|can i borrow|lend me|loan me|te los devuelvo|recargo|"
        r"te los regreso|te lo regreso|del viaje|para el viaje)\b|"
        # A child asking a parent: "mom i need $30 for...".
        r"^(?:mom|mum|dad|mama|papa|mami|papi|ma|pa)\b"
    ),
    "relationship_building": re.compile(
        r"\b(?:surprise|party|gift|present|birthday|anniversary|sorpresa|fiesta|regalo|"
        r"cumpleanos|cumple|"
        # Family talking: a sister told she is mature, a proud parent.
        r"proud of you|sis|lil sis|little sis|bro|lil bro|mija|mijo|hermanita|hermanito|"
        r"orgullos[oa] de ti|all grown up|grown up now|so big now|starting high school|"
        r"ya estas grande|que grande estas|secret santa|amigo secreto|"
        # A group's privacy ("disappearing messages in the group"), not a pair's secret.
        r"in the group|the group chat|our group chat|en el grupo|del grupo|"
        r"little brother|little sister|baby brother|baby sister)\b"
    ),
    "sextortion_threat": re.compile(
        r"\b(?:family group|family chat|grupo de la familia|grupo familiar|the yearbook|"
        # A recording of the game for the coach.
        r"the whole game|the game|the match|highlights|el partido|todo el partido|"
        # A class album from a school trip.
        r"album|el album|excursion|field trip)\b"
    ),
    # A relative saying back the child's news: "congrats on making varsity! the whole family is
    # proud of you".
    "social_media_reconnaissance": re.compile(
        r"\b(?:whole family|all the family|the family is|family is (?:so )?proud|"
        r"toda la familia|la familia esta|"
        # Someone who shares the place: "you're on the team right? coach said you're starting".
        r"coach said|coach says|at practice|in class today|at lunch|in homeroom|en clase|"
        r"en el recreo|el profe dijo|la profe dijo)\b"
    ),
    "fake_modeling_agency": re.compile(
        r"\b(?:(?:parent|guardian|mom|dad|mother|father|padre|madre|mama|papa|tutor)s?"
        r"(?: \w+){0,4} (?:must|will|can|should|needs to|has to|is|are|debe|puede|tiene que|"
        r"va a) (?:attend|attending|come|coming|sign|signing|be present|be there|join|joining|"
        r"firmar|venir|estar)|licensed|license number|our office|studio address|chaperone|"
        r"work permit|lawyer|licencia|oficina|abogado|"
        # An agency the parent chose and attends: "the agency your mom found is legit"; the
        # school's picture day.
        r"license|legit|at every shoot|picture day|school pictures|school photos|"
        r"modeling club|fashion show|for charity|desfile de la escuela|club de modelaje|"
        r"class photo|order form|foto escolar|fotos escolares|"
        r"(?:your|my|tu|mi) (?:mom|dad|parents|mama|papa|papas) "
        r"(?:found|booked|picked|chose|signed|encontro|eligio|firmo))\b"
    ),
}
MESSAGE_BENIGN = {
    # The speaker's own secret ("don't tell anyone but i have a crush on jake"), with no "you"
    # in it; and a sale ("send me $10 and i'll give you my old headphones").
    "relationship_building": re.compile(
        r"\b(?:but|pero) (?:i|im|i'm|i'll|ill|yo|me|voy|tengo|quiero|creo|estoy|fui|hice|saque|"
        r"reprobe)\b(?!.*\b(?:you|u|ur|your|te|ti|tu|tus)\b)|"
        r"\b(?:my old|sell you|te vendo|mi viejo|mis viejos|mi vieja)\b|"
        # Kept from the teacher ("no le cuentes a la profe que copiamos"), not from "your" parents.
        r"\b(?:the teacher|the sub|la profe|al profe|el profe|la maestra|al maestro|el maestro)\b|"
        # Said to one's mother: "te mando la recarga que me pediste, mamá".
        r"(?<!tu )(?<!your )\b(?:mama|mom|mum|ma)$"
    ),
    # Banter taken back: "send nudes lol jk send the notes".
    "rapid_sexual_request": re.compile(r"\b(?:jk|just kidding|es broma|no es cierto)\b"),
    "account_compromise": re.compile(
        r"\b(?:wifi|wi fi|netflix|disney|spotify|hulu|hbo|router|locker|gate code|garage|"
        # Advice: "i know your password is weak, change it please".
        r"change it|change your password|is weak|too weak|cambia tu contrasena|es debil|2fa|"
        r"two factor)\b"
    ),
    # A relative's new number, to be saved ("this is your cousin ana, new number! save it"),
    # unless it comes after a block.
    "multiple_identities": re.compile(
        r"^(?!.*\bblock).*\b(?:save it|save my number|save this number|guardalo|guarda mi numero|"
        r"guarda este numero)\b"
    ),
    # A birthday's candles are not a lie caught: "u said u were 16 but there were 17 candles".
    "identity_misrepresentation": re.compile(r"\b(?:candles|velas|velitas|birthday party)\b"),
    # "What is your favourite number?"
    "platform_migration": re.compile(r"\b(?:favorite|favourite|favorito|favorita|lucky)\b"),
}
# Money offered to the child (a fake scout's "we pay $500") is not money demanded of them.
MONEY_OFFERED = re.compile(
    r"\b(?:we|i|i will|we will|they|i can|we can) (?:pay|will pay|can pay|would pay)\b|"
    r"\b(?:pay you|get paid|you earn|you could earn|te pagamos|te pago|ganar dinero|"
    r"send you (?:some )?money|send you \$\w+|te mando dinero|te deposito|"
    r"gift you|gift u|i can gift|i will gift|te regalo|"
    r"give you|i will give you|i'll give you|te doy|te regalo)\b"
)
# Two adults: no child in sight, grown-up lives. The grooming flags do not apply between them.
ADULT = re.compile(
    r"\b(?:my (?:wife|husband|kids|son|daughter|boss|mortgage|apartment|lease)|at work|after "
    r"work|my shift|the office|drinks|the bar|wine|i'm (?:2\d|3\d|4\d)|i am (?:2\d|3\d|4\d)|"
    r"(?:2\d|3\d|4\d) years old|divorced|my ex wife|my ex husband|tinder|hinge|bumble|"
    r"mi esposa|mi esposo|el trabajo|del trabajo|tengo (?:2\d|3\d|4\d) anos)\b"
)
MINOR = re.compile(
    r"\b(?:school|grade|homework|teacher|my mom|my dad|my parents|i'm 1[0-7]|i am 1[0-7]|"
    r"1[0-7] years old|1[0-7]yo|middle school|high school|freshman|sophomore|curfew|"
    r"escuela|colegio|secundaria|prepa|tarea|mis papas|tengo 1[0-7])\b"
)
# Flags that need a sexual context before they mean anything ("I'll send you one of mine" about
# a puppy is not a trade).
NEEDS_SEXUAL_CONTEXT = frozenset({"reciprocation", "content_demand"})
SEXUAL_CONTEXT = re.compile(
    rf"{_IMG_EN}|{_IMG_ES}|\b(?:sexual|naughty|sexy|hot pic|body|naked|spicy|nude|explicit|"
    r"desnud|picante|sin ropa|hidden (?:folder|album)|private album|my eyes only|"
    r"carpeta oculta|album oculto)\b"
)
# The grooming flags that two adults may share without harm.
ADULT_EXEMPT = frozenset(
    {"rapid_sexual_request", "relationship_building", "reciprocation", "platform_migration"}
)
# What the suspect does; the child's distress and the child catching a lie are the others.
SUSPECT_FLAGS = frozenset(FLAGS) - {"victim_distress", "identity_misrepresentation"}


@dataclass(frozen=True)
class FlagPatterns:
    """A flag's patterns for one set of languages, strongest first, behind one gate: the
    alternation of them all. Most messages show most flags nowhere, and one search that fails
    costs less than a dozen."""

    flag: str
    gate: re.Pattern[str]
    patterns: tuple[Pattern, ...]
    numbers: tuple[int, ...]  # each pattern's index in PATTERNS (prefilter.py names them so)


def _grouped(languages: frozenset[str]) -> list[FlagPatterns]:
    groups: dict[str, list[tuple[int, Pattern]]] = {}
    for number, pattern in enumerate(PATTERNS):
        if pattern.lang in languages:
            groups.setdefault(pattern.flag, []).append((number, pattern))
    out = []
    for flag, numbered in groups.items():
        # Strongest first within a flag: the first admissible match is the one to keep.
        ordered = sorted(numbered, key=lambda item: -item[1].weight)
        patterns = tuple(p for _, p in ordered)
        gate = re.compile("|".join(f"(?:{p.regex.pattern})" for p in patterns))
        out.append(FlagPatterns(flag, gate, patterns, tuple(n for n, _ in ordered)))
    return out


# The patterns by flag, for each set of languages a message may be in.
BY_LANGUAGES = {
    frozenset({"en"}): _grouped(frozenset({"en"})),
    frozenset({"es"}): _grouped(frozenset({"es"})),
    frozenset({"en", "es"}): _grouped(frozenset({"en", "es"})),
}
