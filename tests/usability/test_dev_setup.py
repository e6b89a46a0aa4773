"""Issue 22, the development setup: the admin command line without the development keys says what is missing and
how to run it against scripts/dev.sh's setup, with no traceback."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_command_line_without_keys_says_what_to_do_not_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("FLASK_DEBUG", "SECRET_KEY", "PORTAL_ENCRYPTION_KEYS", "DATABASE_URL")}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "SECRET_KEY and PORTAL_ENCRYPTION_KEYS must be set outside debug mode." in result.stderr
    assert "add FLASK_DEBUG=1" in result.stderr


def test_dev_sh_says_what_it_is_doing_and_offers_the_example_plugin():
    with open(os.path.join(ROOT, "scripts", "dev.sh"), encoding="utf-8") as f:
        script = f.read()
    for step in ("Installing the portal", "Creating or upgrading the database", "Creating the demo accounts"):
        assert f'say "{step}' in script
    assert 'EXAMPLE_PLUGIN:-}" == 1' in script and "./tests/plugin_pkg" in script
    result = subprocess.run(["bash", "-n", os.path.join(ROOT, "scripts", "dev.sh")], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
