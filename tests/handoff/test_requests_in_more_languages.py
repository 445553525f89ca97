"""Asking for a person in languages beyond the first six: the rules hear the request and the
bot hands over with reason explicit_request; the same words about someone else, or a person
in another sense, do not hand over."""

from __future__ import annotations

import pytest

from batondesk.handoff.detection import detect_cues
from batondesk.handoff.explicit_request import detect_explicit_request
from batondesk.handoff.policy import EscalationPolicy


@pytest.mark.parametrize(
    "text",
    [
        "Pwede po ba akong makausap ng totoong tao?",  # Tagalog
        "pls connect me sa isang agent, hindi bot",  # Taglish
        "Czy mogę porozmawiać z konsultantem?",  # Polish
        "Proszę o kontakt telefoniczny w tej sprawie",
        "kisi asli insaan se baat karwa do please",  # Hinglish
        "koi customer care wala hai kya? unse baat karni hai",
        "momken akalem mowazaf law sama7t",  # Arabizi
        "أريد التحدث مع موظف من خدمة العملاء",  # Arabic
        "Naomba kuongea na mhudumu, si roboti",  # Swahili
        "Tafadhali mtu anipigie simu",
        "Gerçek bir insanla konuşabilir miyim?",  # Turkish
        "Bir temsilciye bağlar mısınız?",
        "Kan ik met een medewerker spreken?",  # Dutch
        "Kunnen jullie me terugbellen?",
        "Saya mau bicara dengan petugas, bukan bot",  # Indonesian
        "Tôi muốn nói chuyện với nhân viên tư vấn",  # Vietnamese
        "Aș vrea să vorbesc cu un operator uman",  # Romanian
    ],
)
def test_a_request_for_a_person_hands_over_as_an_explicit_request(text: str) -> None:
    verdict = EscalationPolicy().before_answer(detect_cues([text]))
    assert verdict is not None
    assert verdict.reason == "explicit_request"
    signal = verdict.evidence["signal"]
    start, end = signal["span"]
    assert signal["message_index"] == 0 and 0 <= start < end <= len(text)


def test_a_request_in_a_later_message_points_at_that_message() -> None:
    verdict = EscalationPolicy().before_answer(
        detect_cues(["Magkano po ang fee sa transfer?", "Sige, pero gusto ko makausap ang tao"])
    )
    assert verdict is not None and verdict.reason == "explicit_request"
    assert verdict.evidence["signal"]["message_index"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "Pwede ko po bang idagdag ang asawa ko sa account?",  # add my husband
        "i-transfer ko po ang pera sa ibang tao",  # a payment to another person
        "Czy mogę dodać drugą osobę do konta?",
        "joint account mein dusre vyakti ka naam kaise add kare?",
        "Rezervasyona bir kişi daha ekleyebilir miyim?",
        "Operatörümü değiştirdim, SMS gelmiyor",  # the mobile operator
        "Birikimlerimi başka hesaba aktarabilir miyim?",  # savings, not "someone"
        "Mijn makelaar vraagt om een bankverklaring",
        "Ik ben een echt persoon, waarom lukt de verificatie niet?",
        "Bagaimana cara ganti nomor telepon saya?",  # my phone number
        "Wakala wangu wa usafiri alinihifadhia tiketi",  # my travel agent
        "Tôi có thể thêm người thân làm đồng chủ tài khoản không?",
        "التحدث عن حدود البطاقة",  # talking about card limits
        "thanks, all sorted!",
    ],
)
def test_a_person_in_another_sense_does_not_hand_over(text: str) -> None:
    assert detect_explicit_request(text) is None
    assert EscalationPolicy().before_answer(detect_cues([text])) is None


def test_declining_a_person_is_not_a_request() -> None:
    assert detect_explicit_request("Hindi ko kailangan makausap ang tao, salamat") is None
    assert detect_explicit_request("Tidak perlu bicara dengan CS, sudah beres") is None


@pytest.mark.parametrize(
    "text",
    [
        "Ich bin ein echter Mensch, warum fragt mich die App ständig nach einem Captcha?",
        "Je suis une vraie personne, pourquoi la vérification échoue ?",
    ],
)
def test_a_customer_saying_they_are_a_real_person_is_not_asking_for_one(text: str) -> None:
    assert detect_explicit_request(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I need white lilies for my grandad's funeral on Thursday, can you deliver to a church?",
        "Ich brauche schwarze Kleidung für eine Beerdigung am Samstag. Schafft ihr Expressversand?",
    ],
)
def test_shopping_for_a_funeral_is_not_handed_over(text: str) -> None:
    assert EscalationPolicy().before_answer(detect_cues([text])) is None


def test_a_death_that_touches_the_account_is_still_handed_over() -> None:
    verdict = EscalationPolicy().before_answer(
        detect_cues(["My wife died last month and her direct debits are still going out"])
    )
    assert verdict is not None and verdict.reason == "sensitive"


@pytest.mark.parametrize(
    "text",
    [
        "May nag-withdraw po sa account ko kagabi na hindi ako, 20,000 pesos po nawala",
        "Ktoś zalogował się na moje konto i zrobił przelew na 8000 zł",
        "Namatay po ang tatay ko, paano po ang account niya?",
        "Mijn moeder is overleden en haar rekening is geblokkeerd",
        "Aldığım saç düzleştirici elimde patladı, elim yandı",
        "Rice cooker dari toko kalian korslet dan tangan anak saya kesetrum",
        "Nimepoteza kazi na siwezi kulipa mkopo",
    ],
)
def test_a_sensitive_situation_in_another_language_is_handed_over(text: str) -> None:
    verdict = EscalationPolicy().before_answer(detect_cues([text]))
    assert verdict is not None and verdict.reason == "sensitive"


@pytest.mark.parametrize(
    "text",
    [
        "Słyszałem o oszustwach 'na BLIKa', jak to w ogóle działa?",  # scams as a topic
        "Merak ediyorum, dolandırıcılık mesajlarını nasıl anlarım?",
        "Baca berita soal penipuan phishing, bank pernah minta OTP lewat WA?",
        "Aș vrea o coroană de flori pentru o înmormântare, livrați sâmbăta?",
        "Ik heb de betaling nog niet gedaan, kan dat morgen nog?",
    ],
)
def test_the_topic_without_the_situation_is_not_sensitive(text: str) -> None:
    assert EscalationPolicy().before_answer(detect_cues([text])) is None
