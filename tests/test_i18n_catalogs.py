import pathlib

import polib

from .common import MicroneedlingCase

I18N = pathlib.Path(__file__).resolve().parent.parent / "i18n"
SHIPPED = {"es": "es_ES", "fr": "fr_FR", "de": "de_DE", "it": "it_IT", "pt_BR": "pt_BR"}


class TestI18nCatalogs(MicroneedlingCase):
    def test_every_shipped_language_translates_every_term(self):
        """Each .po covers the whole .pot, with no empty or fuzzy entry."""
        pot_ids = {entry.msgid for entry in polib.pofile(str(I18N / "microneedling_treatment.pot"))}
        self.assertTrue(pot_ids, "the .pot is empty: regenerate it with 'make i18n'")
        self.assertEqual({p.stem for p in I18N.glob("*.po")}, set(SHIPPED))
        for code in SHIPPED:
            po = polib.pofile(str(I18N / f"{code}.po"))
            translated = {e.msgid for e in po if e.msgstr and "fuzzy" not in e.flags}
            missing = pot_ids - translated
            self.assertFalse(missing, f"{code}.po lacks translations for: {sorted(missing)[:5]}")

    def test_shipped_languages_are_loaded_by_odoo(self):
        """The catalogs are read from the addon's i18n symlink at install."""
        menu = self.env.ref("microneedling_treatment.menu_client")
        expected = {"es_ES": "Clientes", "fr_FR": "Clients", "de_DE": "Kunden", "it_IT": "Clienti"}
        for lang, name in expected.items():
            self.assertEqual(menu.with_context(lang=lang).name, name, lang)
        group = self.env.ref("microneedling_treatment.group_practitioner")
        self.assertEqual(group.with_context(lang="pt_BR").name, "Profissional")
