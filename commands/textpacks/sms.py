"""User-facing texts of urgent notices by SMS: the SMS itself, the preview and report lines,
the acknowledgement page, the import's report on mobile numbers, in Polish and English."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "sms.head": "PILNE nr {number}:",
    "sms.tail": "Potwierdź: {link}",
    "sms.preview": {
        "one": "SMS: {count} (szac. koszt {cost} zł)",
        "few": "SMS: {count} (szac. koszt {cost} zł)",
        "many": "SMS: {count} (szac. koszt {cost} zł)",
        "other": "SMS: {count} (szac. koszt {cost} zł)",
    },
    "sms.report": "SMS: {states}",
    "sms.state.delivered": "doręczone {count}",
    "sms.state.undelivered": "niedoręczone {count}",
    "sms.state.sent": "wysłane, bez raportu {count}",
    "sms.state.waiting": "czekają na wysłanie {count}",
    "sms.state.failed": "nie wysłano {count}",
    "sms.state.cancelled": "niepotrzebne (potwierdzone) {count}",
    "sms.import.mobiles": "Telefony komórkowe (tylko do pilnych SMS): {count}",
    "sms.import.landline": "Wiersz {row}: {name} — {number} to telefon stacjonarny; SMS do tej "
    "osoby nie pójdzie.",
    "sms.page.title": "Pilne ogłoszenie nr {number}",
    "sms.page.intro": "Naciśnij przycisk, by potwierdzić, że przeczytałeś(-aś) ogłoszenie.",
    "sms.page.button": "Potwierdzam",
    "sms.page.done": "Dziękujemy — potwierdzenie zapisane.",
    "sms.page.again": "To ogłoszenie było już potwierdzone. Dziękujemy.",
    "sms.page.missing_title": "Nie znaleziono",
    "sms.page.missing": "Ten link jest nieprawidłowy albo ogłoszenie już nie czeka na "
    "potwierdzenie. Jeśli to pomyłka, odpowiedz autorowi ogłoszenia.",
}

EN: dict[str, Text] = {
    "sms.head": "URGENT no. {number}:",
    "sms.tail": "Confirm: {link}",
    "sms.preview": {
        "one": "SMS: {count} (est. cost {cost} zł)",
        "other": "SMS: {count} (est. cost {cost} zł)",
    },
    "sms.report": "SMS: {states}",
    "sms.state.delivered": "delivered {count}",
    "sms.state.undelivered": "not delivered {count}",
    "sms.state.sent": "sent, no report yet {count}",
    "sms.state.waiting": "waiting to be sent {count}",
    "sms.state.failed": "not sent {count}",
    "sms.state.cancelled": "not needed (acknowledged) {count}",
    "sms.import.mobiles": "Mobile numbers (for urgent SMS only): {count}",
    "sms.import.landline": "Row {row}: {name} — {number} is a landline; this person will get "
    "no SMS.",
    "sms.page.title": "Urgent announcement no. {number}",
    "sms.page.intro": "Press the button to confirm that you have read the announcement.",
    "sms.page.button": "I confirm",
    "sms.page.done": "Thank you — your confirmation is recorded.",
    "sms.page.again": "This announcement was already confirmed. Thank you.",
    "sms.page.missing_title": "Not found",
    "sms.page.missing": "This link is not valid, or the announcement no longer waits for a "
    "confirmation. If this is a mistake, reply to the announcement's author.",
}
