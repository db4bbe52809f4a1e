"""Pure logic: reading the PYCOV_HARVEST_* settings."""

import signal

from pycov_harvest.settings import parse_signal, read_settings


def test_defaults():
    s = read_settings({})
    assert (s.data_dir, s.port, s.host, s.token, s.save_signal, s.sigterm, s.rcfile, s.problems) == (
        "/coverdata", 9797, "127.0.0.1", None, signal.SIGUSR1, True, True, [])


def test_signal_names():
    assert parse_signal("SIGUSR2") == parse_signal("usr2") == parse_signal(str(int(signal.SIGUSR2))) == signal.SIGUSR2
    s = read_settings({"PYCOV_HARVEST_SIGNAL": "off"})
    assert s.save_signal is None and not s.problems
    for bad in ("SIGFOO", "TERM", "KILL"):
        s = read_settings({"PYCOV_HARVEST_SIGNAL": bad})
        assert s.save_signal is None and len(s.problems) == 1 and "save signal is off" in s.problems[0]


def test_ports():
    assert read_settings({"PYCOV_HARVEST_PORT": "off"}).port is None
    assert read_settings({"PYCOV_HARVEST_PORT": "8123"}).port == 8123
    for bad in ("0", "70000", "http"):
        s = read_settings({"PYCOV_HARVEST_PORT": bad})
        assert s.port is None and "PYCOV_HARVEST_PORT" in s.problems[0]


def test_non_loopback_needs_token():
    s = read_settings({"PYCOV_HARVEST_HOST": "0.0.0.0"})
    assert s.port is None and "PYCOV_HARVEST_TOKEN is unset" in s.problems[0]
    s = read_settings({"PYCOV_HARVEST_HOST": "0.0.0.0", "PYCOV_HARVEST_TOKEN": "t"})
    assert s.port == 9797 and not s.problems
    for loopback in ("127.0.0.2", "::1", "localhost"):
        assert read_settings({"PYCOV_HARVEST_HOST": loopback}).port == 9797


def test_rcfile_and_sigterm():
    assert read_settings({"COVERAGE_RCFILE": "a"}).rcfile == "a"
    assert read_settings({"COVERAGE_RCFILE": "a", "PYCOV_HARVEST_RCFILE": "b"}).rcfile == "b"
    assert read_settings({"PYCOV_HARVEST_SIGTERM": "0"}).sigterm is False
