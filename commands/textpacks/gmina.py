"""User-facing texts of the gmina feature (Polish and English): naming a gmina to a command,
and gminy the directory does not have."""

from __future__ import annotations

PL: dict[str, str] = {
    "gmina.candidate": "{label} — TERYT {teryt}",
    "gmina.powiat_word": "powiat",
    "gmina.ambiguous": (
        "„{text}” pasuje do kilku gmin:\n{candidates}\n"
        "Podaj kod TERYT albo dopisz rodzaj gminy lub powiat, np. „{example}”."
    ),
    "gmina.outside": "Nie mam w katalogu gminy {gmina}.",
    "gmina.outside_hint": "W katalogu są gminy, których listy kontaktów zaimportowano, np. "
                          "{examples}.",
    "gmina.unknown": "Nie znam gminy „{text}”.",
    "gmina.did_you_mean": "Czy chodzi o:\n{candidates}",
}

EN: dict[str, str] = {
    "gmina.candidate": "{label} — TERYT {teryt}",
    "gmina.powiat_word": "powiat",
    "gmina.ambiguous": (
        "“{text}” fits several gminy:\n{candidates}\n"
        "Give the TERYT code, or add the kind of gmina or the powiat, e.g. “{example}”."
    ),
    "gmina.outside": "I have no gmina {gmina} in the directory.",
    "gmina.outside_hint": "The directory holds the gminy whose contact lists were imported, "
                          "e.g. {examples}.",
    "gmina.unknown": "I know no gmina “{text}”.",
    "gmina.did_you_mean": "Did you mean:\n{candidates}",
}
