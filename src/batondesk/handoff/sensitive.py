"""Messages a bot must not handle alone: fraud and unrecognised transactions, legal threats,
bereavement, data breaches and privacy complaints, safety, and signs of a vulnerable customer.

Each category needs the customer's own situation, not the topic in general: "what is your fraud
protection?" is a routine question, "someone used my card" is not; "my phone died" is not a
bereavement, "my father died" is. Patterns run on folded text (lower case, no accents) and
cover English, Spanish, French, German, Portuguese and Italian here, ten more languages in
`handoff.sensitive_phrases`.
"""

from __future__ import annotations

import re

from batondesk.handoff import sensitive_phrases
from batondesk.handoff.cues import Cue, fold

_MY = r"(?:my|our|me|mine|us)"
_KIN = (
    r"(?:mother|father|mum|mom|dad|husband|wife|partner|son|daughter|brother|sister|"
    r"grandmother|grandfather|grandma|grandpa|gran|nan|aunt|uncle|parent|parents|spouse|"
    r"fiance|fiancee|child|friend|boyfriend|girlfriend|relative)(?:[- ]in[- ]law)?"
)
_MONEY = (
    r"(?:payment|payments|transaction|transactions|charge|charges|withdrawal|withdrawals|"
    r"purchase|purchases|debit|debits|transfer|transfers)"
)

_CATEGORIES: dict[str, list[str]] = {
    "fraud": [
        # Someone else got into the account and changed its details.
        r"\b(?:alguem|alguien|quelqu'un|qualcuno|jemand|iemand|ktos|birisi|baskasi|someone)\s+"
        r"(?:\w+\s+){0,2}(?:entrou|entro|ha entrado|est entre|e entrato|ist\w* in|is in|"
        r"wszedl|girmis|got into|broke into|logged into)\b[^.?!]{0,20}\b(?:minha conta|mi cuenta|"
        r"mon compte|il mio conto|mein\w* konto|mijn rekening|moje konto|hesab\w*|my account)\b",
        r"\bhesab\w* (?:\w+ )?(?:baskasi|biri) girmis\b",
        r"\b(?:i've been|i have been|i was|i got|we've been|we were|been)\s+(?:scammed|defrauded|"
        r"hacked|phished|conned|robbed)\b",
        r"\b(?:fraud(?:ulent)?|unauthori[sz]ed|suspicious)\s+(?:activity|transactions?|payments?|"
        r"charges?|withdrawals?|purchases?|debits?|transfers?|login|access|use)\b",
        r"\bfraud (?:on|in) " + _MY + r"\b",
        r"\b(?:don't|do not|dont|didn't|did not|can't|cannot)\s+(?:recogni[sz]e|remember making|"
        r"know (?:about|what))\b[^.?!]{0,40}\b" + _MONEY,
        r"\bnot recogni[sz]ed?\b|\bunrecogni[sz]ed\b",
        r"\b" + _MONEY + r"\b[^.?!]{0,50}\b(?:i|we)\s+(?:don't|do not|dont|didn't|did not|never)\s+"
        r"(?:recogni[sz]e|make|made|authori[sz]e|authori[sz]ed|approve|approved)\b",
        r"\b(?:link|text|call|caller|email|message|website)\b[^.?!]{0,60}\b(?:entered|gave|typed|"
        r"shared|told)\b[^.?!]{0,30}\b(?:card details|card number|pin|password|passcode|code|login|"
        r"details)\b",
        r"\b(?:i|we) (?:never|didn't|did not) (?:made|make|authori[sz]e|approve|buy|spend)\b",
        r"\b(?:someone|somebody|a stranger|they|scammer|scammers|fraudsters?|hackers?)\s+"
        r"(?:has\s+|have\s+|had\s+)?(?:used|using|took|taken|stole|stolen|accessed|hacked|emptied|"
        r"drained|withdrew|spent|been using|got into|logged into)\b[^.?!]{0,30}\b(?:my|our)\b",
        r"\b(?:my|our)\s+(?:account|card|app|phone|email)\s+(?:has been|was|got|is)\s+"
        r"(?:hacked|compromised|accessed|taken over)\b",
        r"\b(?:money|funds|savings|balance|cash|\d+\s*(?:pounds|euros|dollars)?)\s+(?:is\s+|are\s+|"
        r"has\s+|have\s+)?(?:missing|gone|disappeared|vanished|taken)\s+(?:from|out of)\b",
        r"\b(?:scam|phishing|fake) (?:call|text|sms|email|message|website|site|link)\b[^.?!]{0,60}"
        r"\b(?:gave|entered|clicked|shared|sent|told|typed)\b",
        r"\b(?:gave|shared|told|sent)\b[^.?!]{0,30}\b(?:pin|password|passcode|code|card details)"
        r"\b[^.?!]{0,30}\b(?:someone|caller|stranger|scam|fake|they said|pretending)\b",
        r"\bidentity theft\b|\bstole my identity\b|\bsim swap\b",
        r"\b(?:tricked|conned|duped|pressured) into\b|\bfraudsters?\b",
        r"\b(?:unknown|strange|weird|odd|random|mystery|mysterious)\s+" + _MONEY + r"\b",
        r"\b(?:alguien|quelqu'un|alguem|qualcuno)\s+(?:ha\s+|a\s+)?(?:usado|uso|utilizado|"
        r"utilise|usou|utilizou|sacado|retire|retirou|prelevato)\b[^.?!]{0,20}\b(?:mi|ma|mon|"
        r"meu|minha|la mia|il mio)\b",
        # es / fr / de / pt / it
        r"\b(?:fraude|estafa|estafaron|me han robado|me robaron|no reconozco|cargo(?:s)? que no "
        r"hice|no autorice|hackearon|suplantacion)\b",
        r"\b(?:fraude|arnaque|arnaque|escroquerie|je ne reconnais pas|pirate|piratee|on m'a vole|"
        r"non autorise|paiement frauduleux)\b",
        r"\b(?:betrug|betrogen|nicht autorisiert|erkenne\b[^.?!]{0,40}\bnicht|gehackt|"
        r"unbekannte abbuchung|jemand hat\b[^.?!]{0,30}\b(?:karte|konto))\b",
        r"\b(?:golpe|fraude|nao reconheco|clonaram|clonado|roubaram|invadiram|nao autorizei)\b",
        r"\b(?:frode|truffa|truffato|truffata|non riconosco|clonata|clonato|non autorizzat[oa]|"
        r"mi hanno rubato)\b",
    ],
    "legal": [
        # A complaint to a regulator, ombudsman or consumer arbitration body, in any country
        # (not a review site: posting there is a threat to go public, i.e. frustration).
        r"\b(?:ombudsm[ae]n\w*|kifid|klacht indienen bij|hakem heyet\w*|bddk|ojk|uokik|"
        r"rzecznik\w* finansow\w*|knf|anpc|banco de espana|banco central|bacen|"
        r"consumidor\.gov|arbitro bancario|ivass|acpr|defensor del cliente|schlichtungsstelle|"
        r"bsp|cbn|cbk|financial ombudsman|consumer (?:tribunal|court|commission))\b",
        r"\b(?:my|our)\s+(?:lawyer|solicitor|attorney|barrister|legal team|legal advisor)\b",
        r"\b(?:contact|contacting|get|getting|call|calling|speak to|speaking to|hire|hiring|"
        r"instruct|instructing)\s+(?:a|an)\s+(?:lawyer|solicitor|attorney)\b",
        r"\b(?:legal action|legal proceedings|tak(?:e|ing) (?:you|this|the bank|you guys) to court|"
        r"see you in court|(?:going to|gonna|will|i'll) sue\b|"
        r"sue (?:you|the bank|your|baton)|suing|lawsuit|small claims|class action)\b",
        r"\b(?:ombudsman|financial conduct authority|fca|cfpb|regulator|trading standards|"
        r"report you to)\b",
        r"\b(?:abogado|demandar(?:los|les)?|denunciar(?:los|les)?|accion legal|tribunales?)\b",
        r"\b(?:avocat|poursuites?|justice|tribunal|plainte contre vous|mediateur)\b",
        r"\b(?:anwalt|anwaltin|verklagen|rechtliche schritte|vor gericht|bafin|"
        r"verbraucherzentrale)\b",
        r"\b(?:advogado|processar|procon|tribunal)\b",
        r"\b(?:avvocato|denuncia|fare causa|tribunale|azioni legali|vie legali)\b",
    ],
    "bereavement": [
        r"\b" + _MY + r"\s+(?:late\s+)?" + _KIN + r"\s+(?:has\s+|had\s+|just\s+|recently\s+|)"
        r"(?:passed away|passed(?!\s+(?:her|his|their|the|a|an|my|our|its)\b)|died|has died|"
        r"is dead|was killed)\b",
        # Not "funeral" alone: flowers, a suit or a transfer for someone's funeral is an
        # order; the customer's own loss shows in who died and what it does to the account.
        r"\b(?:passed away|bereavement|bereaved|deceased|probate|executor|"
        r"death certificate|death of (?:my|our)|lost (?:my|our) " + _KIN + r")\b",
        r"\bmy late " + _KIN + r"\b",
        r"\b(?:fallecio|fallecido|fallecida|murio|ha muerto|fallecimiento|defuncion|herencia)\b",
        r"\b(?:decede|decedee|deces|est mort|est morte|succession)\b",
        r"\b(?:verstorben|gestorben|ist tot|todesfall|erbschein|nachlass)\b",
        r"\b(?:faleceu|falecido|falecida|morreu|obito|inventario)\b",
        r"\b(?:deceduto|deceduta|e morto|e morta|morto|scomparso|scomparsa|decesso|eredita)\b",
    ],
    "privacy": [
        # Another customer's documents, label or data sent to this one.
        r"\b(?:packing slip|delivery note|invoice|label|letter|receipt|statement|paperwork|"
        r"documents?)\b[^.?!]{0,30}\b(?:for|of|addressed to)\s+(?:a |an )?(?:mrs|mr|ms|miss|"
        r"someone|somebody|another|other)\b",
        r"\b(?:invoices|details|data|addresses|statements|orders|documents)\s+(?:of|from|for)\s+"
        r"(?:about |around |some |\d+ )*other (?:customers|people|clients)\b",
        r"\b(?:anderer|anderen) kunden\b|\botros clientes\b|\bautres clients\b|\baltri clienti\b|"
        r"\boutros clientes\b|\bandere klanten\b|\binnych klientow\b|\bbaska musteri\w*\b",
        r"\b(?:data breach|breach of (?:my )?(?:data|privacy)|data leak|leaked|exposed)\b"
        r"[^.?!]{0,40}\b(?:data|details|information|address|account)?",
        r"\b(?:my|our)\s+(?:personal\s+)?(?:data|details|information|info)\s+(?:was|were|has been|"
        r"have been|got|is being)\s+(?:leaked|exposed|shared|sold|stolen|breached|misused|given)\b",
        r"\b(?:someone else's|another (?:customer|person)'s|somebody else's|a stranger's)\s+"
        r"(?:account|details|data|statement|name|card|information|transactions)\b",
        r"\b(?:sen[dt]|shar(?:e|ed|ing)|g[ia]ve|disclos(?:e|ed|ing)|sold|leak(?:ed)?)\s+(?:my|our)"
        r"\s+(?:personal\s+)?(?:data|details|information|info|statement|address)\s+(?:to|with)\b",
        r"\b(?:gdpr|data protection|information commissioner|ico|privacy (?:complaint|breach|"
        r"violation)|violat\w+ (?:my )?privacy|subject access request)\b",
        r"\b(?:filtracion|mis datos|proteccion de datos|rgpd)\b",
        r"\b(?:fuite de donnees|mes donnees|protection des donnees|rgpd|cnil)\b",
        r"\b(?:datenleck|datenschutz|meine daten|dsgvo)\b",
        r"\b(?:vazamento|meus dados|lgpd|protecao de dados)\b",
        r"\b(?:violazione dei dati|i miei dati|protezione dei dati|garante della privacy)\b",
    ],
    "safety": [
        # Self-harm said softly: "I don't see the point lately", "if I'm not around anymore".
        r"\b(?:don't|do not|dont) see the point (?:of|in) (?:anything|much|living|going on|it all)|"
        r"\bi just don't see the point\b|\bif i'?m not (?:around|here) (?:any ?more|anymore)\b|"
        r"\bnot (?:be )?around (?:much longer|for long)\b|\bmade my mind up about things\b|"
        r"\bwon't be needing (?:it|the account|anything|the return|my account)\b[^.?!]{0,40}"
        r"\b(?:after|anymore|any more|mind)\b|\bnot sure i'll be needing the return\b|"
        r"\b(?:no se|nao sei|non so|je ne sais) (?:mas|mais|piu|plus) (?:como|come|comment) "
        r"(?:seguir|continuar|andare avanti|continuer)\b|\bmeglio sparire\b|\bquiero desaparecer\b",
        # Being followed, held or shouted at, now.
        r"\b(?:(?:is|are|keeps?) following me|been following me|being followed|followed me "
        r"(?:from|to|home)|(?:won't|will not|doesn't|does not) let me (?:out|leave|get out|go)|"
        r"lasst mich nicht (?:aussteigen|gehen|raus)|me (?:esta|estan) siguiendo|"
        r"(?:estou a ser|estou sendo|fui) seguid[oa]|mi sta seguendo|mi seguono|me suit|"
        r"sumusunod sa akin|sinusundan ako|sledzi mnie|beni takip ediyor|volgt me|"
        r"mengikuti saya|ananifuata)\b",
        # A product that caught fire, shocked or hurt someone.
        r"\b(?:caught fire|burst into flames|set (?:the|my|our) \w+ on fire|could have set "
        r"[^.?!]{0,20} on fire|electric shock|electrocuted|sparked and (?:burnt|burned)|"
        r"feuer gefangen|in brand geraten|stromschlag|a pris feu|s'est enflamme|electrocute|"
        r"se incendio|prendio fuego|descarga electrica|pegou fogo|choque eletrico|"
        r"ha preso fuoco|si e incendiat\w*|scossa elettrica|vlam gevat|in brand gevlogen)\b",
        r"\b(?:broke|broken|fractured) (?:his|her|my|their) (?:arm|wrist|leg|ankle|nose|hand)\b|"
        r"\b(?:poignet|bras|jambe) casse\b|"
        r"\b(?:ha|tiene) (?:el|la) (?:muneca|brazo|pierna) rot[oa]\b",
        # A relative or partner who takes the customer's card, pay or PIN.
        r"\b(?:husband|wife|partner|son|daughter|brother|sister|uncle|aunt|in-laws|boyfriend|"
        r"girlfriend|ex|family|father|mother)\s+(?:\w+\s+){0,2}(?:takes|keeps? taking|"
        r"won't give (?:me )?back|makes? me (?:give|hand over))\s+(?:\w+\s+){0,2}"
        r"(?:my|all my)\s+(?:\w+\s+)?(?:card|salary|wages|pay|pension|benefits|pin|bank card|"
        r"money)\b",
        r"\b(?:kill myself|end my life|end it all|suicid\w*|self[- ]harm|hurt myself|harm myself|"
        r"don't want to live|want to die|no reason to live)\b",
        r"\b(?:threaten(?:ed|ing)? (?:me|to)|in danger|not safe|unsafe at home|afraid for my "
        r"(?:life|safety)|domestic (?:abuse|violence)|abusive (?:partner|husband|wife)|"
        r"(?:forcing|forced|coerc\w+|pressur\w+) me to|blackmail\w*|being followed|stalk\w*|"
        r"harass\w*)\b",
        r"\b(?:suicidarme|quitarme la vida|me quiero morir|violencia domestica|me amenaza\w*|"
        r"en peligro)\b",
        r"\b(?:me suicider|en finir|en danger|violence conjugale|me menace)\b",
        r"\b(?:umbringen|suizid|selbstmord|in gefahr|bedroht mich|hausliche gewalt)\b",
        r"\b(?:me matar|suicidio|em perigo|me ameaca|violencia domestica)\b",
        r"\b(?:uccidermi|suicid\w+|in pericolo|mi minaccia|violenza domestica)\b",
    ],
    "vulnerable": [
        # A carer acting for someone, or a learning disability.
        r"\b(?:i'm|i am) (?:the |a |her |his |their |my \w+'s )?(?:full[- ]time |main |unpaid |"
        r"sole )?carer\b(?! by (?:profession|trade))|\bcarer (?:for|of) (?:my|her|his)\b|"
        r"\blearning (?:disabilit\w*|difficult\w*)\b|\bsupport worker\b|\bbadante\b|\bcaregiver\b|"
        r"\b(?:cuidador|cuidadora) (?:de|da|do)\b|\bpflege (?:meine|meinen)\b|"
        r"\bbetreuer(?:in)? (?:von|fur|meine)\b|\bvorsorgevollmacht\b|\bbewindvoerder\b|"
        r"\bmantelzorger\b|\bverstandelijke beperking\b|\bgeistige behinderung\b|"
        r"\bdiscapacidad intelectual\b|\bdeficiencia intelectual\b|\bdeficience intellectuelle\b|"
        r"\bdisabilita intellettiva\b|\bogrenme guclu\w*|\bzihinsel engel\w*|\bcuratelle\b|"
        r"\btutelle\b|\baidante?\b",
        r"\bcan(?:not|'t)(?: even)? (?:buy|afford) (?:food|groceries)\b|\bzor durumday\w*|"
        r"\basgari odeme\w* bile\b|\bschuldsanering\b|\bowing on\b[^.?!]{0,30}\bfor months\b",
        r"\b(?:can't|cannot|can not|unable to)\s+(?:afford|pay)\s+(?:food|rent|to eat|my rent|"
        r"bills|my bills|the bills|anything|my mortgage|groceries|heating|for food)\b",
        r"\b(?:financial (?:hardship|difficulty|difficulties)|struggling (?:financially|with money|"
        r"to pay|to make ends meet)|in (?:serious |a lot of )?debt|bailiffs|debt collectors?|"
        r"lost my job|made redundant|been evicted|homeless|food bank)\b",
        r"\b(?:i'm|i am|i've got|i have|my " + _KIN + r" (?:is|has))\s+(?:disabled|blind|deaf|"
        r"dementia|alzheimer'?s|cancer|terminal(?:ly ill)?|in hospital|seriously ill|"
        r"mental health (?:problems|issues|condition)|depressed|depression|severe anxiety)\b",
        r"\b(?:gambling (?:addiction|problem)|addicted to gambling|can't stop gambling)\b",
        r"\b(?:can't cope|at breaking point|at my wits end|falling apart)\b",
        r"\b(?:elderly|vulnerable) (?:mother|father|parent|customer|relative|person)\b",
        r"\b(?:no puedo pagar|no tengo para comer|perdi mi trabajo|deudas|desahucio)\b",
        r"\b(?:je ne peux pas payer|j'ai perdu mon emploi|surendettement|dettes)\b",
        r"\b(?:kann\b[^.?!]{0,20}\bnicht bezahlen|arbeitslos|schulden|pleite)\b",
        r"\b(?:nao consigo pagar|perdi o emprego|dividas|endividado)\b",
        r"\b(?:non riesco a pagare|ho perso il lavoro|debiti)\b",
    ],
}
PATTERNS: dict[str, list[re.Pattern[str]]] = {
    category: [re.compile(p) for p in [*patterns, *sensitive_phrases.PATTERNS.get(category, [])]]
    for category, patterns in _CATEGORIES.items()
}
CATEGORIES = tuple(_CATEGORIES)

# A question about the topic in general ("what is your fraud policy?"), not the customer's case.
_GENERAL_QUESTION = re.compile(
    r"^\W*(?:what|how|do|does|is|are|can|where)\b[^.?!]{0,60}\b(?:your|you|the bank)\b[^.?!]{0,40}"
    r"\b(?:policy|protection|protect|prevent|tips|guarantee|cover|information|page|policies)\b"
    r"|^\W*(?:what|how)\b[^.?!]{0,40}\b(?:if|in case|should i ever)\b"
    # Asking out of curiosity how to tell a scam, with nothing having happened.
    r"|\b(?:out of (?:interest|curiosity)|just (?:curious|wondering)|aus neugier|por curiosidad|"
    r"par curiosite|por curiosidade|per curiosita|not happened to me|haven't had one|in general)\b"
    r"|\bhow (?:do|can|would|could|should) (?:i|we|you|people|my \w+) (?:tell|spot|know|"
    r"recogni[sz]e|check|avoid)\b|\bwhat to look (?:out )?for\b|\bworan erkenne\b|"
    r"\bcomo (?:eu )?(?:sei|saber|reconhecer|identificar)\b|\bcomo (?:se )?(?:reconoce|detectar)\b"
    # The same in the other languages: how to tell a scam, asked out of curiosity, nothing
    # having happened.
    r"|\bcome (?:si )?(?:riconosc\w*|capire)\b|\bcomment (?:reconnaitre|savoir|reperer)\b|"
    r"\bwie erkenne\b|\bhoe (?:herken|weet)\b|\bjak (?:rozpoznac|poznac)\b|\bnasil anla\w*|"
    r"\bbagaimana (?:cara )?(?:mengenali|tahu)\b|\bpaano (?:malalaman|makikilala)\b|"
    r"\b(?:z ciekawosci|pytam z ciekawosci|uit nieuwsgierigheid|meraktan|merak ettim|"
    r"penasaran|curious lang|bas jaanna|din curiozitate|so por curiosidade|solo por curiosidad|"
    r"nothing(?:'s| has)? happened|nothing happened|no me ha pasado nada|no ha pasado nada|"
    r"nao aconteceu nada|rien ne s'est passe|il ne (?:m')?est rien arrive|nichts passiert|"
    r"non (?:mi )?e successo (?:niente|nulla)|nic sie nie stalo|er is niets gebeurd|"
    r"niets gebeurd|bir sey olmadi|tidak terjadi apa|wala (?:namang|pang) nangyari|"
    r"hakuna kilichotokea|kuch nahi hua|nu s-a intamplat nimic|"
    r"not that (?:i|she|he|we|they)(?:'ve| have| has|'s)? (?:fallen|been))\b"
)
# ...unless it already happened: "how do I tell if it's you? I clicked the link and paid".
_IT_HAPPENED = re.compile(
    r"\b(?:i|we|my \w+) (?:already |just )?(?:clicked|entered|gave|sent|paid|transferred|shared|"
    r"typed|told them|downloaded|installed|lost|opened|followed|replied|called back)\b|"
    r"\b(?:entered|gave|typed|shared|sent|paid) (?:my|our|them|the|it)\b|"
    r"\b(?:money|savings) (?:is |are )?(?:gone|missing|taken)\b|\bthey (?:took|have|got|asked)\b"
)
# "It was me": an alert about the customer's own login or payment is not fraud.
_WAS_ME = re.compile(
    r"\b(?:it was|that was|it's|that's|twas|they were|those were) (?:just |only |actually )?me\b|"
    r"\b(?:c'etait|c'est) (?:bien )?moi\b|\b(?:era|fui) yo\b|\b(?:das )?war ich\b|"
    r"\b(?:era|fui) eu\b|\bero io\b|\bto (?:bylem|bylam) ja\b|\bik was het\b|"
    r"\bako (?:po )?(?:yun|iyon)\b|\bsaya sendiri\b|\bmain hi tha\b|\bni mimi\b"
)
# A lawyer or accountant who asked for a document ("statements for my solicitor") is routine,
# not a legal threat.
_FOR_AN_ADVISER = re.compile(
    r"\b(?:for|fur|para|pour|per|voor|dla|a|al|ao) (?:my|our|meinen?|unseren?|mi|mon|ma|il mio|"
    r"o meu|mijn|mojego|nuestro|notre) (?:lawyer|solicitor|attorney|accountant|anwalt|"
    r"anwaltin|steuerberater\w*|abogad[oa]|avocat|avvocato|advogad[oa]|advocaat|notar\w*|"
    r"notaire|notario)\b|"
    r"\b(?:lawyer|solicitor|attorney|accountant|anwalt|abogad[oa]|avocat|avvocato|advogad[oa]|"
    r"advocaat) (?:has |have |had |just )?(?:asked|needs|wants|requested|requires|braucht|"
    r"pide|pidio|demande|chiede|pediu)\b"
)
# A funeral is the customer's loss when it is their relative's, or when the one who died has
# an account, card or payments with us; flowers, a suit or a transfer for a friend's funeral
# are an order.
_FUNERAL = re.compile(
    r"\b(?:funeral|funerale|funerailles|obseques|entierro|sepelio|velorio|beerdigung|"
    r"begrabnis|trauerfeier|pogrzeb\w*|cenaze\w*|begrafenis|uitvaart|pemakaman|libing|"
    r"mazishi|tang le|inmormantare|jenazah|janaza)\b"
)
_THEIR_LOSS = re.compile(
    r"\b" + _MY + r"\s+(?:late\s+)?" + _KIN + r"\b|"
    r"\b(?:mi|mis|minha|meu|mon|ma|mes|mein|meine|meinem|meiner|mio|mia|mijn|onze)\s+"
    r"(?:madre|padre|mama|papa|mae|pai|marido|esposa|esposo|mulher|hijo|hija|filho|filha|"
    r"hermano|hermana|irmao|irma|abuelo|abuela|avo|mere|pere|mari|femme|fils|fille|frere|"
    r"soeur|grand-mere|grand-pere|mutter|vater|mann|frau|sohn|tochter|bruder|schwester|oma|"
    r"opa|marito|moglie|figlio|figlia|fratello|sorella|nonno|nonna|moeder|vader|man|vrouw|"
    r"zoon|dochter|broer|zus)\b|"
    r"\b(?:tatay|nanay|asawa|lolo|lola|anak|kapatid) ko\b|\b(?:babam|annem|esim|"
    r"kardesim)\b|\b(?:ayah|ibu|suami|istri|anak) saya\b|\b(?:baba|mama|mume|mke) "
    r"(?:yangu|wangu)\b|\b(?:mamy|taty|meza|zony|ojca|matki)\b|"
    r"\b(?:his|her|their|dela|dele|su|sus|son|sa|ses|sein|seine|ihr|ihre|suo|sua|zijn|haar)\s+"
    r"(?:account|accounts|card|cards|direct debits?|debits?|payments?|pension|savings|"
    r"conta|cartao|cuenta|tarjeta|compte|carte|konto|karte|conto|carta|rekening|pas)\b"
)
# A device that "died" ("namatay po yung cellphone ko", "my phone died") is no bereavement.
_DEVICE = re.compile(
    r"^\W*(?:po\s+)?(?:(?:yung|ang|na|my|the|mi|mon|mein|meu|il mio)\s+)?(?:cellphone|"
    r"cell|phone|cp|selpon|telepon|hp|handphone|battery|baterya|laptop|tablet|charger|"
    r"telefon\w*|celular|portable|movil|handy)\b"
)
_LAWYER = re.compile(
    r"lawyer|solicitor|attorney|barrister|anwalt|abogad|avocat|avvocat|advogad|advocaat"
)


def asks_in_general(text: str) -> bool:
    """The customer asks about fraud, privacy or the law in general ("out of curiosity",
    "nothing has happened", "how do I tell a scam text?"), with nothing having happened."""
    folded = fold(text)
    return _GENERAL_QUESTION.search(folded) is not None and not _IT_HAPPENED.search(folded)


# Buying for a funeral (flowers, a wreath, a sympathy card) is an order, not a bereavement that
# touches the customer's own account: "a wreath for my grandad's funeral" needs no person.
_FUNERAL_PURCHASE = re.compile(
    r"\b(?:wreath|sympathy (?:flowers|card|bouquet)|funeral flowers|bouquet|florist|gerbe|"
    r"couronne (?:de fleurs|mortuaire)|kranz|trauerkranz|corona (?:de flores|di fiori)|"
    r"coroa de flores|ramo de flores|wieniec|(?:white |some )?(?:lilies|lillies|flowers|roses)|"
    r"flores|fleurs|fiori|blumen|kwiaty|bulaklak|bloemen|cicek\w*|bunga|maua|flori|vong hoa|"
    # Something to wear to it: "black clothes for a funeral on Saturday".
    r"(?:black|dark) (?:clothes|clothing|dress|suit|tie|outfit|shoes)|outfit|"
    r"schwarze (?:kleidung|anzug|kleid)|trauerkleidung|ropa negra|vestido negro|"
    r"tenue noire|vetements noirs|abito nero|roupa preta)\b"
)


def detect_sensitive(
    text: str, message_index: int = 0, categories: tuple[str, ...] = CATEGORIES
) -> Cue | None:
    """The first sensitive category (in the order of CATEGORIES) the message falls in."""
    folded = fold(text)
    general = asks_in_general(text)
    for category in categories:
        for pattern in PATTERNS.get(category, ()):
            match = pattern.search(folded)
            if match is None:
                continue
            if general and category in ("fraud", "privacy", "legal"):
                continue
            if category == "fraud" and _WAS_ME.search(folded):
                continue
            if (
                category == "legal"
                and _LAWYER.search(match.group())
                and _FOR_AN_ADVISER.search(folded)
            ):
                continue
            if category == "bereavement" and (
                _FUNERAL_PURCHASE.search(folded) or _DEVICE.search(folded[match.end() :])
            ):
                continue
            return Cue("sensitive", category, message_index, match.span())
        if category == "bereavement":
            funeral = _FUNERAL.search(folded)
            if (
                funeral is not None
                and _THEIR_LOSS.search(folded)
                and not _FUNERAL_PURCHASE.search(folded)
            ):
                return Cue("sensitive", category, message_index, funeral.span())
    return None
