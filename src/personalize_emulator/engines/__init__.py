"""Recipes, training, evaluation and serving. Imports nothing else from the package.

The engines are usable offline: build a :class:`TrainingData` from pandas frames, look a recipe
up in the registry by ARN, ``fit`` it, then score.
"""
