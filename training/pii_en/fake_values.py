"""Faker values from many locales: names of many cultures, addresses in many
countries' layouts, written the way people type them (lower case, upper-case
city lines, unit lines, postcode before or after the city, country lines).

Only the values come from Faker; the layouts are ours. Every address is
returned as text plus nothing else: the whole text is one STREET_ADDRESS.
"""

from __future__ import annotations

import random

from faker import Faker

# Locales whose names and addresses are written in Latin script (what English
# text mostly carries), then a few in other scripts, less often.
LATIN_LOCALES = (
    "en_US",
    "en_GB",
    "en_AU",
    "en_CA",
    "en_IE",
    "en_NZ",
    "en_IN",
    "en_NG",
    "en_PH",
    "en_PK",
    "de_DE",
    "de_AT",
    "de_CH",
    "fr_FR",
    "fr_BE",
    "fr_CA",
    "fr_CH",
    "es_ES",
    "es_MX",
    "es_AR",
    "es_CO",
    "es_CL",
    "it_IT",
    "pt_PT",
    "pt_BR",
    "nl_NL",
    "nl_BE",
    "da_DK",
    "sv_SE",
    "no_NO",
    "fi_FI",
    "is_IS",
    "et_EE",
    "lv_LV",
    "lt_LT",
    "pl_PL",
    "cs_CZ",
    "sk_SK",
    "sl_SI",
    "hr_HR",
    "hu_HU",
    "ro_RO",
    "tr_TR",
    "sq_AL",
    "id_ID",
    "vi_VN",
    "fil_PH",
    "sw",
    "yo_NG",
    "ig_NG",
    "ha_NG",
    "zu_ZA",
    "tw_GH",
    "az_AZ",
    "uz_UZ",
    "ga_IE",
    "mt_MT",
    "lb_LU",
    "de_LI",
    "it_CH",
)
OTHER_SCRIPT_LOCALES = ("el_GR", "el_CY", "ru_RU", "uk_UA", "bg_BG", "ja_JP", "ko_KR", "he_IL", "ar_AA")

UNIT_WORDS = (
    "Apt.",
    "Apt",
    "Apartment",
    "Suite",
    "Ste",
    "Unit",
    "Flat",
    "Floor",
    "Room",
    "#",
    "App.",
    "Whg.",
    "as.",
    "lgh",
    "Piso",
)
COUNTRY_NAMES = {
    "en_US": "USA",
    "en_GB": "United Kingdom",
    "en_AU": "Australia",
    "en_CA": "Canada",
    "en_IE": "Ireland",
    "en_NZ": "New Zealand",
    "en_IN": "India",
    "en_NG": "Nigeria",
    "en_PH": "Philippines",
    "en_PK": "Pakistan",
    "de_DE": "Germany",
    "de_AT": "Austria",
    "de_CH": "Switzerland",
    "fr_FR": "France",
    "fr_BE": "Belgium",
    "fr_CA": "Canada",
    "fr_CH": "Switzerland",
    "es_ES": "Spain",
    "es_MX": "Mexico",
    "es_AR": "Argentina",
    "es_CO": "Colombia",
    "es_CL": "Chile",
    "it_IT": "Italy",
    "pt_PT": "Portugal",
    "pt_BR": "Brazil",
    "nl_NL": "Netherlands",
    "nl_BE": "Belgium",
    "da_DK": "Denmark",
    "sv_SE": "Sweden",
    "no_NO": "Norway",
    "fi_FI": "Finland",
    "is_IS": "Iceland",
    "et_EE": "Estonia",
    "lv_LV": "Latvia",
    "lt_LT": "Lithuania",
    "pl_PL": "Poland",
    "cs_CZ": "Czech Republic",
    "sk_SK": "Slovakia",
    "sl_SI": "Slovenia",
    "hr_HR": "Croatia",
    "hu_HU": "Hungary",
    "ro_RO": "Romania",
    "tr_TR": "Turkey",
    "sq_AL": "Albania",
    "id_ID": "Indonesia",
    "vi_VN": "Vietnam",
    "el_GR": "Greece",
    "el_CY": "Cyprus",
    "ru_RU": "Russia",
    "uk_UA": "Ukraine",
    "bg_BG": "Bulgaria",
    "ja_JP": "Japan",
    "ko_KR": "South Korea",
    "mt_MT": "Malta",
    "lb_LU": "Luxembourg",
    "ga_IE": "Ireland",
    "zu_ZA": "South Africa",
}


class Values:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._fakers: dict[str, Faker] = {}
        self._en = self.faker("en_US")

    def faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            try:
                fake = Faker(locale)
            except AttributeError:
                fake = Faker("en_US")
            fake.seed_instance(self.rng.randrange(1 << 30))
            self._fakers[locale] = fake
        return self._fakers[locale]

    def locale(self) -> str:
        if self.rng.random() < 0.1:
            return self.rng.choice(OTHER_SCRIPT_LOCALES)
        return self.rng.choice(LATIN_LOCALES)

    def _attr(self, fake: Faker, name: str, fallback: str) -> str:
        try:
            return str(getattr(fake, name)())
        except AttributeError:
            return str(getattr(self._en, fallback)())

    # --- names -------------------------------------------------------------
    def first_name(self, locale: str | None = None) -> str:
        return self._attr(self.faker(locale or self.locale()), "first_name", "first_name")

    def last_name(self, locale: str | None = None) -> str:
        return self._attr(self.faker(locale or self.locale()), "last_name", "last_name")

    def person(self, locale: str | None = None) -> str:
        locale = locale or self.locale()
        r = self.rng.random()
        first, last = self.first_name(locale), self.last_name(locale)
        if r < 0.55:
            name = f"{first} {last}"
        elif r < 0.7:
            name = f"{first} {self.rng.choice('ABCDEFGHJKLMNPRSTVW')}{self.rng.choice(['', '.'])} {last}"
        elif r < 0.8:
            name = f"{first[0]}. {last}"
        elif r < 0.9:
            name = f"{first} {self.first_name(locale)} {last}"
        else:
            name = f"{first} {last}-{self.last_name(locale)}"
        return name

    # --- places ------------------------------------------------------------
    def city(self, locale: str | None = None) -> str:
        return self._attr(self.faker(locale or self.locale()), "city", "city")

    def country(self) -> str:
        return self._en.country()

    def organization(self) -> str:
        return self._attr(self.faker(self.locale()), "company", "company")

    def street(self, locale: str) -> str:
        fake = self.faker(locale)
        street = self._attr(fake, "street_name", "street_name")
        number = self._attr(fake, "building_number", "building_number")
        if self.rng.random() < 0.5 and locale in (
            "en_US",
            "en_GB",
            "en_AU",
            "en_CA",
            "en_IE",
            "en_NZ",
            "fr_FR",
            "fr_CA",
            "fr_BE",
            "fr_CH",
        ):
            return f"{number} {street}" if locale.startswith("en") else f"{number}, {street}"
        return f"{street} {number}"

    def unit(self) -> str:
        return f"{self.rng.choice(UNIT_WORDS)} {self.rng.randint(1, 999)}"

    def address(self) -> str:
        """One address in one of many layouts; lines joined by newlines or commas."""
        rng = self.rng
        locale = self.locale()
        fake = self.faker(locale)
        if rng.random() < 0.25:
            try:
                # Faker's own layout for the locale (postcode/city order etc.).
                text = fake.address()
                if rng.random() < 0.3:
                    text = text.replace("\n", ", ")
                return text
            except AttributeError:
                pass
        if rng.random() < 0.05:
            first, second = (
                self._attr(fake, "street_name", "street_name"),
                self._attr(fake, "street_name", "street_name"),
            )
            return f"{rng.choice(['the corner of', 'corner of', 'the corner of'])} {first} and {second}"
        street = self.street(locale)
        city = self.city(locale)
        postcode = self._attr(fake, "postcode", "postcode")
        country = COUNTRY_NAMES.get(locale) or self.country()
        if rng.random() < 0.35:
            city = city.upper()
        if rng.random() < 0.2:
            country = country.upper()
        parts = [street]
        if rng.random() < 0.4:
            unit = self.unit()
            if rng.random() < 0.5:
                parts = [street + " " + unit]
            else:
                parts.append(unit)
        if rng.random() < 0.15:
            parts.insert(0, str(rng.randint(1, 99999)))
        layout = rng.random()
        if layout < 0.35:
            parts.append(f"{postcode} {city}")
        elif layout < 0.6:
            parts.append(city)
            parts.append(postcode)
        elif layout < 0.8:
            state = self._attr(fake, "state_abbr", "state_abbr") if rng.random() < 0.5 else ""
            parts.append(f"{city}{', ' + state if state else ''} {postcode}")
        else:
            parts.append(city)
        if rng.random() < 0.55:
            parts.append(country if rng.random() < 0.6 else f"{country} {postcode}")
        join = rng.choice(["\n", "\n", ", ", "\n ", "\n    ", " "])
        return join.join(parts)
