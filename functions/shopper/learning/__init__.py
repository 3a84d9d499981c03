"""Preference learning: interaction signals in, user_preferences out.

aggregate.py (pure) turns a user's recent signals into weighted feature tallies;
a learner (learners/, chosen by settings.learner) proposes preferences from them;
merge.py (pure) folds the proposal under the user's own choices; service.py runs
it for one user or fans a scheduled pass out per user; triggers.py is the
Pub/Sub side.
"""
