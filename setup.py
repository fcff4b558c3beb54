"""The package list, which pyproject.toml cannot express without naming every package by hand.

* every ``workstation`` package found in the source tree;
* ``workstation.resources``: the top-level ``resources/`` folder mapped into the package, with each
  of its folders (``hanging``, ``report_templates``, ``translations``...) and all their files, so an
  installed workstation reads them through :mod:`importlib.resources`
  (``workstation/resource_files.py``).

Everything else (name, version, dependencies, entry point) is in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = "workstation.resources"
resource_folders = [f"{RESOURCES}.{name}" for name in find_namespace_packages(where="resources")]

setup(
    packages=[*find_packages(include=["workstation", "workstation.*"]), RESOURCES, *resource_folders],
    package_dir={RESOURCES: "resources"},
    package_data={
        "workstation": ["py.typed"],
        RESOURCES: ["*.md"],
        **{folder: ["*"] for folder in resource_folders},
    },
)
