import gc
import threading

from amicable.kernel.garbage import fewer_gc_passes


def test_fewer_gc_passes_restores_the_collector_settings():
    before = gc.get_threshold()
    with fewer_gc_passes():
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_overlapping_blocks_restore_the_settings_when_the_last_one_ends():
    before = gc.get_threshold()
    first_inside, second_done = threading.Event(), threading.Event()

    def second() -> None:
        first_inside.wait()
        with fewer_gc_passes():
            pass
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    with fewer_gc_passes():
        first_inside.set()
        second_done.wait()
        assert gc.get_threshold()[0] > before[0]  # the other block's end left ours alone
    thread.join()
    assert gc.get_threshold() == before
