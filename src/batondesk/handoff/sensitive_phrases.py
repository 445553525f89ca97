"""Sensitive situations in Tagalog, Polish, Hindi in Latin script, Arabic (script and Arabizi),
Swahili, Turkish, Dutch, Indonesian, Vietnamese and Romanian, by `handoff.sensitive`'s
categories.

As there, the customer's own situation, not the topic ("I was scammed", never "scams"): money
taken that they did not send, a relative who died, a product that burned or injured someone, a
threat, debts they cannot pay. Matched on folded text (`handoff.cues.fold`: lower case, accents
dropped; "ł", "ı" and "đ" stay). Kept to phrases that mean one thing, so a word that is also
everyday ("mati" is also a flat battery, "patladı" also prices going up) is left to the learned
model, and a funeral alone (flowers or a suit for one) is no one's bereavement.
"""

from __future__ import annotations

PATTERNS: dict[str, list[str]] = {
    "fraud": [
        # tl
        r"\b(?:na-?scam|nascam|nanloko|naloko|niloko|nanakaw|ninakaw|na-?hack|nahack)\b|"
        r"\bhindi (?:ako|ko) (?:ang )?(?:nag-?\w+|ginawa|gumawa)\b[^.?!]{0,30}\b(?:withdraw|"
        r"transfer|bayad|transaksyon|pera)"
        # "... na hindi ako": done by someone who was not me.
        r"|\b(?:na|pero) hindi ako(?:\s+po)?(?=\s*(?:[,.!?]|$))|\bhindi ako ang\b",
        # pl
        r"\b(?:oszukan[ya]|oszukali mnie|oszukał mnie|oszukal mnie)\b|\bktos\s+(?:zalogował|"
        r"zalogowal|ukradł|ukradl|uzył|uzyl|wypłacił|wyplacil|przelał|przelal)\w*|"
        r"\b(?:ktor\w*|czego)\s+nie\s+(?:robił|robil|zlecał|zlecal|autoryzow)\w*",
        # hi (Latin script)
        r"\b(?:fraud|scam|dhokha|dhoka)\s+(?:ho gaya|hua|ho gya|kiya)\b"
        r"|\b(?:maine|mene)\s+(?:koi\s+)?(?:otp|transaction|payment)\b"
        r"[^.?!]{0,25}\bnahi\b|\baccount\s+(?:hack|khali)\s+ho\b",
        # ar, Arabizi
        r"(?:نصب علي|نصبوا علي|اخترق|سرق|ما عملتش|لم اقم)|\b(?:e5tara2|ekhtara2|"
        r"nasabo|nasab 3alaya|ser2o|sara2o)\b",
        # sw
        r"\b(?:bila ruhusa|nimetapeliwa|walinitapeli|wamenitapeli|ameiba|wameiba|zimeibiwa)\b",
        # tr
        r"\b(?:dolandırıld\w*|dolandirild\w*|benim yapmadıgım|benim yapmadigim|"
        r"ben yapmadım|ben yapmadim|izinsiz)\b|\bhesab\w*\s+(?:ele gecir|bosalt)\w*",
        # nl
        r"\b(?:opgelicht|die ik niet (?:zelf )?(?:heb )?gedaan|"
        r"niet door mij|gehackt|gekaapt)\b",
        # id
        r"\b(?:ditipu|kena tipu|dibobol|tidak pernah (?:transaksi|"
        r"kasih otp|memberikan otp)|saldo\w* (?:hilang|raib|terkuras))\b",
        # vi (folded)
        r"\b(?:bi lua|bi hack|khong he giao dich|khong he chuyen|bi đanh cap)\b",
        # ro
        r"\b(?:am fost inselat\w*|m-a inselat|nu le-am facut|nu am facut eu|mi-a golit)\b",
    ],
    "bereavement": [
        r"\b(?:namatay|pumanaw|yumao|sumakabilang buhay)\b",
        r"\b(?:zmarł\w*|zmarl\w*|nie zyje)\b",
        r"\b(?:death ho gaya|death ho gayi|guzar gaye|guzar gayi|nahi rahe|swargwas|swargvas)\b",
        r"(?:توفي|توفى|توفيت|وفاة|المرحوم|المرحومة)|\b(?:twaffa|twaffet|tuwuffi|el mar7oum)\b",
        r"\b(?:amefariki|alifariki|wamefariki|kifo cha)\b",
        r"\b(?:vefat|hayatını kaybetti|hayatini kaybetti|oldu\b[^.?!]{0,10}\bbabam)\b",
        r"\b(?:overleden|overlijden|executeur)\b",
        r"\b(?:meninggal|wafat|almarhum|almarhumah)\b",
        r"\b(?:qua đoi)\b",
        r"\b(?:a murit|decedat\w*|deces\w*)\b",
    ],
    "safety": [
        # Self-harm hints
        r"\b(?:ayoko nang mabuhay|gusto ko nang mamatay|nie chce zyc|po co to ciagnac|"
        r"jeena nahi chahta|jeena nahi chahti|mar jaunga|سأنهي حياتي|انتحار|nataka kufa|"
        r"kendimi oldur\w*|intihar|ik wil niet meer leven|ingin mati|bunuh diri|muon chet|"
        r"muon tu tu|vreau sa mor|sinucid\w*)\b",
        # A threat, stalking, abuse, coercion
        r"\b(?:sinasaktan ako|binabantaan|grozi mi|przemoc|dhamki|maarta hai|يهددني|byhaddedni|"
        r"ananitisha|ananipiga|tehdit ediyor|siddet|bedreigt me|mishandel\w*|mengancam|kdrt|"
        r"đe doa|bao luc|ma ameninta|violenta domestica)\b",
        r"\b(?:kinukuha ng asawa ko|zmusza mnie|pati\b[^.?!]{0,30}\b(?:rakhta|nikal leta|le leta)|"
        r"ananilazimisha|beni zorl\w*|zorla\b|dwingt me|memaksa saya|ep toi|ma obliga|"
        r"ma forteaza)\b",
        # A product that burned, exploded or injured someone
        r"\b(?:nasunog|napaso|sumabog|nakuryente)\b|\b(?:poparzy\w*|oparzen\w*|zapalił\w* sie|"
        r"zapalil\w* sie|wybuchł\w*|wybuchl\w*)\b|\b(?:jal gaye|jal gaya|jal gayi|"
        r"aag lag)\b|(?:احترق|انفجر|حروق|walla3|walla3et)|\b(?:ameungua|wameungua|nimeungua|"
        r"kuungua|ilishika moto|lililipuka|ililipuka)\b|\b(?:elim yandı|elim yandi|"
        r"alev aldı|alev aldi|elimde patladı|elimde patladi)\b|\b(?:brandwond\w*|ontploft|"
        r"vlam gevat|geëlektrocuteerd)\b|\b(?:terbakar|meledak|kesetrum|luka bakar)\b|"
        r"\b(?:bi bong|chay no|phat no)\b|\b(?:a luat foc|arsuri|mi-a ars|a explodat)\b",
    ],
    "vulnerable": [
        r"\b(?:nawalan ng trabaho|walang makain|hindi ko na kaya|hindi ko mabayaran)\b",
        r"\b(?:straciłem prace|stracilem prace|straciłam prace|stracilam prace|komornik\w*|"
        r"nie daje rady|nie mam z czego)\b",
        r"\b(?:naukri chali gayi|naukri chali gai|emi nahi bhar|karz\w*|ghar chalana mushkil)\b",
        r"(?:ديون|لا استطيع الدفع|فقدت عملي)",
        r"\b(?:nimepoteza kazi|siwezi kulipa|hawana chakula|madeni)\b",
        r"\b(?:icra takibi|borcumu odeyemiyorum|isimi kaybettim|işimi kaybettim)\b",
        r"\b(?:schulden|deurwaarder|kan (?:de|mijn) \w+ niet (?:meer )?betalen|"
        r"zit er helemaal doorheen)\b",
        r"\b(?:kena phk|di-?phk|debt collector|tidak bisa bayar cicilan|tidak sanggup bayar)\b",
        r"\b(?:mat viec|khong tra no|khong tra đuoc|no nan)\b",
        r"\b(?:nu mai pot plati|am ramas fara (?:serviciu|loc de munca)|datorii)\b",
        # A relative with dementia ("lola ko na may dementia", "ada alzheimer").
        r"\b(?:demencj\w*|demans|dementie|demensia)\b|\b(?:may|ana|ina|ada|yang|ko|hai)\s+"
        r"(?:dementia|alzheimer\w*)\b",
    ],
}
