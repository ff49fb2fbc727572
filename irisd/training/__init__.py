"""Training the shipped segmenter: research code that ships with irisd but never runs in it.

    synth/      the procedural eye renderer (exact masks by construction, rights-clean)
    train.py    the training loop on rendered eyes (`TrainConfig`, `train`)
    command.py  `irisd train-segmenter`, loaded by the CLI only when that command runs

The server (`irisd serve`, its workers, the pipeline) never imports this package; the
network itself (`irisd.pipeline.segment.unet`) and its weights are the pipeline's. Training reads
no photos: the real sets are scored by `bench/pipeline/segmenter_scores.py`, never trained on.
"""
