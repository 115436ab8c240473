"""Install the addon as the importable package odoo.addons.microneedling_treatment.

Name and version come from the manifest, so there is one place to bump them.
The i18n symlink is followed: built packages carry the catalogs as real files.
"""

import ast
import pathlib

from setuptools import setup

ADDON = "microneedling_treatment"
HERE = pathlib.Path(__file__).resolve().parent
MANIFEST = ast.literal_eval((HERE / ADDON / "__manifest__.py").read_text(encoding="utf-8"))


def _data_files():
    """Every non-Python file of the addon, relative to the addon folder."""
    root = HERE / ADDON
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    )


setup(
    name=f"odoo-addon-{ADDON.replace('_', '-')}",
    version=MANIFEST["version"],
    description=MANIFEST["summary"],
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author=MANIFEST["author"],
    url=MANIFEST["website"],
    license=MANIFEST["license"],
    python_requires=">=3.10",
    install_requires=["python-dateutil", "babel", "xlrd", "openpyxl"],
    packages=[f"odoo.addons.{ADDON}"]
    + [
        f"odoo.addons.{ADDON}." + ".".join(p.relative_to(HERE / ADDON).parts)
        for p in sorted((HERE / ADDON).rglob("__init__.py"))
        if p.parent != HERE / ADDON
        for p in [p.parent]
    ],
    package_dir={f"odoo.addons.{ADDON}": ADDON},
    package_data={f"odoo.addons.{ADDON}": _data_files()},
    include_package_data=False,
    zip_safe=False,
    classifiers=[
        "Framework :: Odoo",
        "Framework :: Odoo :: 18.0",
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
    ],
)
