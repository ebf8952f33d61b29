"""Test images for the scanner and its measurement (lab only; the decode path is pos_plugin/qr).

    render.py   segno: a string as a QR code PNG
    synth.py    the project's deterministic image set (Pillow)
    hard.py     the seeded hard corpus (Pillow), seeds in tests/data/scanner_hard_corpus.json
    measure.py  `python -m pos_plugin.lab.scanner.measure`: decode rate and time per image
"""
