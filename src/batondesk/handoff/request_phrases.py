"""How customers ask for a person in Tagalog, Polish, Hindi written in Latin script, Arabic
(script and Arabizi), Swahili, Turkish, Dutch, Indonesian, Vietnamese and Romanian.

Matched on folded text (`handoff.cues.fold`: lower case, accents dropped, so "görüşmek" is
"gorusmek", "người thật" is "nguoi that"; "ł", "ı" and "đ" have no accent to drop and stay).
As in English, a word for a person counts only beside a verb of talking, connecting or calling
back, or in an unmistakable phrase ("totoong tao", "żywy człowiek", "canlı destek"): "can I add
another person to the booking" is not a request, in any language.
"""

from __future__ import annotations

# Arabic diacritics (fatha ... sukun, shadda) are separate characters that folding keeps.
_AR = r"[\u064b-\u0652]*"


def _arabic(word: str) -> str:
    """`word` with any diacritics allowed after each letter ("حوّلني" matches "حولني")."""
    return "".join(letter + _AR for letter in word)


_TL_STAFF = (
    r"(?:tao|ahente|agent|empleyado|staff|representative|operator|customer service|kinatawan|"
    r"supervisor|manager|csr|taga[- ]?bangko)"
)
_PL_STAFF = (
    r"(?:konsultant\w*|doradc\w*|pracownik\w*|człowiek\w*|czlowiek\w*|osob[aąy]\w*|kims|"
    r"operator\w*|przedstawiciel\w*|agent\w*|obsług\w*|obslug\w*|kierownik\w*)"
)
_HI_STAFF = (
    r"(?:insaan|insan|banda|bande|aadmi|admi|agent|executive|customer care(?: wal\w*)?|"
    r"representative|manager|senior|officer|staff|employee)"
)
# "ال" (the) may lead; "حد" (someone) must end the word, or it would match "حدود" (limits).
_AR_STAFF = (
    "(?:"
    + _arabic("ال")
    + ")?(?:(?:"
    + "|".join(_arabic(w) for w in ("موظف", "شخص", "انسان", "ممثل", "مسؤول", "مدير"))
    + r")\S*|"
    + "|".join(_arabic(w) for w in ("حد", "احد", "بشر"))
    + r")(?=\s|$|[.?!،؟])"
)
_ARABIZI_STAFF = (
    r"(?:mowazaf|mowazzaf|mwazaf|mwazzaf|muwazaf|7ad|shakhs|sha5s|insan|ensan|agent|"
    r"customer service|mas2ool|mas2oul|modeer|manager|bani ?adam|bani2adam|shi 7ada|7ada)"
)
_SW_STAFF = (
    r"(?:mtu|mhudumu|wakala|afisa|mfanyakazi|wafanyakazi|binadamu|meneja|agent|mwakilishi|"
    r"huduma kwa wateja)"
)
_TR_STAFF = (
    r"(?:musteri temsilci\w*|temsilci\w*|yetkili\w*|insan\w*|calısan\w*|calisan\w*|"
    r"gorevli\w*|mudur\w*|biri(?:yle|siyle|sine|ne)?|birisi|canlı destek\w*|canli destek\w*)"
)
_NL_STAFF = (
    r"(?:medewerker\w*|mens|persoon|iemand|klantenservice|adviseur|leidinggevende|manager|"
    r"collega)"
)
_ID_STAFF = (
    r"(?:cs|customer service|agen|petugas|operator|manusia|orang asli|admin|staf|staff|"
    r"karyawan|pegawai)"
)
_VI_STAFF = (
    r"(?:nhan vien|nguoi that|tong [dđ]ai vien|tu van vien|nguoi ho tro|quan ly|con nguoi|"
    r"admin|ai [dđ]o)"
)
_RO_STAFF = (
    r"(?:operator\w*|om|persoana|consultant\w*|agent\w*|cineva|angajat\w*|reprezentant\w*|"
    r"manager\w*|sef\w*)"
)

PATTERNS: list[tuple[str, str]] = [
    # Tagalog / Taglish
    (
        "tl_kausap",
        r"\b(?:makausap|kausapin|kausap|makipag-?usap|makipagusap)\b[^.?!]{0,30}\b"
        + _TL_STAFF
        + r"\b"
        # Moving "me", not money: "i-transfer ang pera sa ibang tao" is a payment.
        r"|\b(?:i-?transfer|ipasa|ilipat)\b[^.?!]{0,12}\bako\b[^.?!]{0,25}\b"
        + _TL_STAFF
        + r"\b|\b(?:pa-?connect|paki-?connect|ma-?connect|i-?connect|connect|pakikonekta|ikonekta|"
        r"maikonekta)\b[^.?!]{0,25}\b"
        + _TL_STAFF
        + r"\b|\b"
        + _TL_STAFF
        + r"\b[^.?!]{0,25}\b(?:kausap|makausap|kausapin)\b|\bsino\b[^.?!]{0,20}\b(?:kausapin|"
        r"makausap)\b",
    ),
    (
        "tl_real",
        r"\b(?:totoong|tunay na|totoo na)\s+tao\b|\bmay tao (?:po )?(?:ba|dyan|diyan)\b|"
        r"\btao po (?:please|pls|sana)\b|\bmay\s+(?:empleyado|ahente|agent|staff|tao)\s+(?:po\s+)?"
        r"ba\b|\b(?:paki-?)?tawagan\b[^.?!]{0,15}\bako\b|\bakong tawagan\b|\btumawag sa akin\b",
    ),
    # Polish
    (
        "pl_rozmawiac",
        r"\b(?:(?:po)?rozmaw\w*|rozmow\w*|omow\w*|zalatw\w*|pogad\w*)\s+(?:to\s+)?z\s+"
        r"(?:\w+\s+){0,3}?" + _PL_STAFF + r"|\btelefon\w*\s+od\s+" + _PL_STAFF,
    ),
    (
        "pl_polaczyc",
        r"\b(?:połacz\w*|polacz\w*|przełacz\w*|przelacz\w*|przekier\w*)\b[^.?!]{0,30}"
        r"\b(?:konsultant|doradc|pracownik|człowiek|czlowiek|operator|obsług|obslug)",
    ),
    (
        "pl_real",
        r"\b(?:zyw\w*|prawdziw\w*)\s+(?:człowiek\w*|czlowiek\w*|osob\w*|konsultant\w*|"
        r"pracownik\w*)|\bktos zywy\b|\bktos\b[^.?!]{0,15}\bna zywo\b|"
        r"\b(?:jest|sa)\s+(?:tu|tam)\s+(?:jakis\s+|ktos\s+)?(?:człowiek|czlowiek)|"
        r"\bkontakt telefoniczny\b|\b(?:zadzwon\w*|oddzwon\w*)\s+do mnie\b|"
        r"\bdo mnie\s+(?:zadzwon\w*|oddzwon\w*)|^\W*konsultant\w*\W*(?:prosze)?\W*$",
    ),
    # Hindi in Latin script (Hinglish)
    (
        "hi_baat",
        r"\b"
        + _HI_STAFF
        + r"\b[^.?!]{0,25}\b(?:se\s+)?(?:baat|call|phone)\s+(?:karni|karna|karwa|karwao|"
        r"karao|kara|karwado|karwa do|kara do|kar sakt\w*|karunga|karni hai|karwaiye|"
        r"karwayein|kijiye)|\b(?:kisi|koi)\b[^.?!]{0,20}\bse baat\s+(?:karni|karna|karwa|"
        r"karao|kara|kar sakt)",
    ),
    (
        "hi_connect",
        r"\b" + _HI_STAFF + r"\b[^.?!]{0,20}\b(?:se\s+)?(?:connect|transfer)\s+(?:karo|kar do|"
        r"karwa|karwao|kijiye|karein|kardo)|\b" + _HI_STAFF + r"\s+ko\s+(?:bulao|bulaiye)\b|"
        r"\b(?:mujhe|muje|mereko)\s+(?:call|phone)\s+(?:karo|kar do|karein|kijiye|chahiye)\b|"
        r"\b(?:asli|real|sach\w*)\s+(?:insaan|insan|banda|aadmi)\b|\bkoi\s+(?:asli\s+|real\s+)?"
        + r"(?:human|person|"
        + _HI_STAFF
        + r")\s+(?:hai|h|available)\b",
    ),
    (
        "hi_devanagari",
        "(?:इंसान|इन्सान|आदमी|अधिकारी|एजेंट|व्यक्ति|कर्मचारी|किसी)[^.?!।]{0,30}बात\\s*"
        "(?:करवा|करा|कर सक|करनी|करना|हो सक)",
    ),
    # Arabic script and Arabizi
    (
        "ar_talk",
        "(?:"
        + "|".join(
            _arabic(w)
            for w in ("التحدث", "اتحدث", "نتحدث", "اتكلم", "نتكلم", "اكلم", "احكي", "اتواصل")
        )
        + r")\s+(?:"
        + _arabic("مع")
        + r"\s+)?(?:\S+\s+){0,2}?"
        + _AR_STAFF
        + "|(?:"
        + "|".join(_arabic(w) for w in ("حولني", "حولوني", "وصلني", "اوصلني"))
        + r")\s+(?:\S+\s+){0,2}?"
        + _AR_STAFF
        + "|(?:"
        + "|".join(_arabic(w) for w in ("شخص", "انسان", "موظف"))
        + r")\s+"
        + _arabic("حقيقي")
        + "|"
        + _arabic("يتصل")
        + r"\s+(?:"
        + "|".join(_arabic(w) for w in ("بي", "بيا", "علي", "عليا"))
        + r")(?:\s|$|[.?!،؟])|(?:"
        + "|".join(_arabic(w) for w in ("يتواصل", "يتصل", "يكلمني"))
        + r")\s+(?:"
        + "|".join(_arabic(w) for w in ("معي", "فيني", "بيا", "بي", "علي"))
        + r")(?:\s|$|[.?!،؟])|"
        + _arabic("تحويلي")
        + r"\s+(?:"
        + _arabic("الى")
        + r"\s+)?(?:\S+\s+){0,1}?"
        + _AR_STAFF
        + "|(?:"
        + "|".join(_arabic(w) for w in ("عايز", "عاوز", "اريد", "ابغى", "ابي", "بدي", "محتاج"))
        + r")\s+(?:"
        + "|".join(_arabic(w) for w in ("موظف", "انسان", "شخص حقيقي"))
        + ")|(?:"
        + "|".join(_arabic(w) for w in ("فيه", "في", "يوجد", "هناك", "هل"))
        + r")\s+(?:"
        + "|".join(_arabic(w) for w in ("انسان", "موظف", "شخص"))
        + r")\s+(?:"
        + "|".join(_arabic(w) for w in ("يرد", "يساعد", "اكلمه", "حقيقي"))
        + ")",
    ),
    (
        "ar_arabizi",
        r"\b(?:a7ki|a7ky|ehki|e7ki|i7ki|ahki|a[- ]?kalem|a[- ]?kallem|akalim|atkalam|atkallam|"
        r"atwasal|nahki|a7awel|7awel)\s+(?:lel\s+|lil\s+)?"
        r"(?:ma3\s+|m3\s+)?(?:\w+\s+){0,2}?" + _ARABIZI_STAFF + r"\b|\b(?:7awelni|7awelny|"
        r"7awilni|7awwelni|wasselni|wassalni)\b[^.?!]{0,25}\b" + _ARABIZI_STAFF + r"\b|"
        r"\b(?:shakhs|insan|ensan|mowazaf)\s+(?:7a2i2i|7a2ee2i|7a2i2y|7a2ee2y)\b",
    ),
    # Swahili
    (
        "sw_ongea",
        r"\b(?:kuongea|kuzungumza|niongee|nizungumze|kuwasiliana|niwasiliane|ongea|zungumza|"
        r"niunganishe|kuunganishwa)\s+na\s+(?:\w+\s+){0,2}?" + _SW_STAFF + r"\b",
    ),
    (
        "sw_real",
        r"\b(?:mtu|binadamu)\s+halisi\b|\b(?:a|m|u)?nipigi[ae](?:ni)?\s+simu\b|"
        r"\bkunipigia simu\b|\bnipigiwe simu\b|"
        r"^\W*mtu\s+tafadhali\W*$",
    ),
    # Turkish
    (
        "tr_gorusmek",
        r"\b" + _TR_STAFF + r"\b[^.?!]{0,25}\b(?:gorus\w*|konus\w*|baglan\w*|bagla\w*|"
        r"aktar\w*|yonlendir\w*)",
    ),
    (
        "tr_real",
        # "operatör" alone is also the mobile network: only "connect me to an operator".
        r"\boperator\w*\s+(?:ile\s+)?(?:gorus|konus|baglan|bagla|aktar)\w*|"
        r"\bcanl[ıi] destek\b|\bgercek bir (?:insan|kisi|temsilci)\b|\bbeni\s+(?:geri\s+)?"
        r"ara(?:yabilir|y[ıi]n|r m[ıi]s[ıi]n[ıi]z|man[ıi]z|san[ıi]z|s[ıi]n)\w*|"
        r"^\W*(?:temsilci|yetkili|operator)\W*(?:lutfen|rica ederim)?\W*$",
    ),
    # Dutch
    (
        "nl_spreken",
        r"\b" + _NL_STAFF + r"\b[^.?!]{0,30}\b(?:spreken|praten|chatten|doorverbinden|bellen|"
        r"aan de lijn|aan de telefoon)\b|\b(?:praten|spreken|chatten)\s+met\s+(?:een\s+)?"
        r"(?:echte?\s+)?(?:medewerker|mens|persoon|iemand)\b",
    ),
    (
        "nl_real",
        r"\bverbind\w*\s+(?:me|mij)\b[^.?!]{0,30}\bdoor\b|\bdoorverbind\w*\s+(?:met|naar)\b|"
        r"\bterug\s*bellen\b|\bterugbel\w*\b|\bterug\s*gebeld\b|\b(?:wil|graag|liever)\s+"
        r"(?:graag\s+)?een\s+(?:echte\s+)?(?:medewerker|mens)\b|\bis er\s+(?:een\s+)?(?:medewerker|"
        r"iemand|mens)\b[^.?!]{0,30}\b(?:meekijken|spreken|bellen|praten)\b|"
        r"\bbel(?:t|len)?\s+(?:me|mij)\s+(?:terug|op)\b|\becht(?:e)?\s+(?:mens|persoon|"
        r"medewerker)\b|\been mens bedoel ik\b|^\W*medewerker\W*(?:graag|alstublieft|aub)?\W*$",
    ),
    # Indonesian
    (
        "id_bicara",
        r"\b(?:bicara|berbicara|ngomong|ngobrol|hubungkan|sambungkan|disambungkan|"
        r"dihubungkan|sambungin|hubungin|connect|langsung\s+(?:sama|dengan|ke))\b[^.?!]{0,25}\b"
        + _ID_STAFF
        + r"\b|\b"
        + _ID_STAFF
        + r"\b[^.?!]{0,20}\b(?:dihubungi|hubungi|ditelepon)\b",
    ),
    (
        "id_real",
        r"\borang (?:asli|beneran|sungguhan)\b|\b(?:cs|agen|petugas) manusia\b|"
        # "nomor telepon saya" is my phone number, not "phone me".
        r"(?<!nomor )(?<!no )\b(?:telepon|telpon|telfon|hubungi)\s+saya\b|"
        r"\b(?:di)?(?:telepon|telpon|telfon)\s+balik\b|"
        r"\bminta\s+(?:di)?(?:telepon|telpon)\b",
    ),
    # Vietnamese (folded: "nói chuyện" is "noi chuyen")
    (
        "vi_noi_chuyen",
        r"\b(?:noi chuyen|gap|chuyen|ket noi|lien he|trao doi|lam viec)\b[^.?!]{0,25}\b"
        + _VI_STAFF
        + r"\b",
    ),
    (
        "vi_real",
        r"\bnguoi that\b|(?<!hua )\bgoi lai cho (?:toi|minh|em|anh|chi)\b|"
        r"\bco ai (?:o )?(?:[dđ]o|day) khong\b|^\W*(?:gap )?(?:nhan vien|tong [dđ]ai vien)\W*$",
    ),
    # Romanian
    (
        "ro_vorbesc",
        r"\b(?:vorb\w*|discut\w*|transfer\w*|conect\w*|redirection\w*|legatura)\s+(?:\w+\s+)"
        r"{0,2}?(?:cu|la|catre)\s+(?:un\s+|o\s+|\w+\s+)?" + _RO_STAFF + r"\b",
    ),
    (
        "ro_real",
        r"\boperator uman\b|\bpersoana reala\b|\bom (?:real|adevarat)\b|\bexista un om\b|"
        r"\b(?:ma puteti|puteti sa ma|sa ma)\s+suna\w*|^\W*operator\W*(?:va rog)?\W*$",
    ),
]
