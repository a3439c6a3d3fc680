"""Chat texts of the office panel's sign-in links."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "cmd.panel": "link do panelu biura (strona WWW)",
    "panel.link": ("Twój link do panelu biura: {url}\n"
                   "Działa raz i przez 15 minut. Nie przekazuj go nikomu."),
    "panel.link_sent": ("Ktoś (zapewne Ty) poprosił na stronie logowania o link do panelu "
                        "biura: {url}\nDziała raz i przez 15 minut. Jeśli to nie Ty, zignoruj "
                        "tę wiadomość."),
    "panel.private_only": ("Link do panelu wysyłam tylko w prywatnej rozmowie. Napisz do mnie "
                           "bezpośrednio: /panel"),
    "panel.off": "Panel biura nie jest włączony w tej instalacji.",
    "panel.cli.off": "panel biura jest wyłączony ([panel] enabled = false)",
    "panel.cli.unknown": "nie ma w katalogu osoby o adresie {email}",
    "panel.cli.local_only": ("uwaga: [server] public_url nie jest ustawiony, więc link działa "
                             "tylko na tym komputerze"),
}

EN: dict[str, Text] = {
    "cmd.panel": "a link to the office panel (web page)",
    "panel.link": ("Your link to the office panel: {url}\n"
                   "It works once and for 15 minutes. Do not pass it on."),
    "panel.link_sent": ("Someone (probably you) asked for a link to the office panel on the "
                        "sign-in page: {url}\nIt works once and for 15 minutes. If it was not "
                        "you, ignore this message."),
    "panel.private_only": "I send panel links only in a private chat. Write to me directly: "
                          "/panel",
    "panel.off": "The office panel is not enabled in this installation.",
    "panel.cli.off": "the office panel is off ([panel] enabled = false)",
    "panel.cli.unknown": "nobody in the directory has the address {email}",
    "panel.cli.local_only": ("note: [server] public_url is not set, so the link works on this "
                             "machine only"),
}
