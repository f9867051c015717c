"""The public surface is what ``__all__`` says: every public name listed, every listed name real."""

import types

import course_lib


def test_all_lists_every_public_member_and_only_those():
    public = {
        name
        for name, value in vars(course_lib).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(course_lib.__all__) == public
    assert course_lib.__all__ == sorted(course_lib.__all__)
