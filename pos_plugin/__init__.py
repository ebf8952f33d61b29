"""yibao-pos plugin: scan the 医保电子凭证, identify the patient, settle the bill through the payer chain."""

__version__ = "0.1.0"
