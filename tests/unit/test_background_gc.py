import gc

from amicable.kernel.background import fewer_gc_passes


def test_fewer_gc_passes_restores_the_collector_settings():
    before = gc.get_threshold()
    with fewer_gc_passes():
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
