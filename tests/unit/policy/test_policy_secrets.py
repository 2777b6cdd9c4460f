import pytest
from policy_builders import clean_objects, container, platform, replace, run, statefulset

from charon.policy.secrets import looks_secret

VALUE = "hunter2-very-secret"


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "API_TOKEN", "SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "SMTP_PASS", "api-key"],
)
def test_secret_names(name: str) -> None:
    assert looks_secret(name, VALUE)


@pytest.mark.parametrize("name", ["PASSWORD_FILE", "TOKEN_URL", "LOG_LEVEL", "PASSTHROUGH", "TZ"])
def test_harmless_names(name: str) -> None:
    assert not looks_secret(name, "x")


@pytest.mark.parametrize("value", ["$(POD_NAME)-tailscale", "file:/auth/key", "/run/secrets/db"])
def test_references_are_not_secrets(value: str) -> None:
    assert not looks_secret("TS_KUBE_SECRET", value)


def test_credentials_in_a_url() -> None:
    assert looks_secret("DATABASE_URL", "postgres://wiki:" + VALUE + "@db:5432/wiki")
    assert not looks_secret("DATABASE_URL", "postgres://db:5432/wiki")


def test_plain_secret_env_in_spec_never_echoes_the_value() -> None:
    p = platform({"services": {"wiki": {"env": {"ADMIN_PASSWORD": VALUE}}}})
    found = run(p, [], rule="secret-env-plain")
    assert [(f.object, f.path) for f in found] == [
        ("service/wiki", "services.wiki.env.ADMIN_PASSWORD")
    ]
    assert "secretEnv" in found[0].fix
    assert all(VALUE not in text for f in found for text in (f.message, f.fix, f.field, f.path))


def test_plain_secret_env_in_a_compiled_container() -> None:
    app = container("app", "requarks/wiki:2.5.307", env=[{"name": "GITHUB_TOKEN", "value": VALUE}])
    found = run(objects=replace(clean_objects(), "StatefulSet", statefulset(containers=[app])))
    found = [f for f in found if f.rule == "secret-env-plain"]
    assert [(f.object, f.field) for f in found] == [
        ("StatefulSet/apps/wiki", "spec.template.spec.containers[app].env[GITHUB_TOKEN].value")
    ]
    assert VALUE not in found[0].message


def test_value_from_secret_is_fine() -> None:
    ref = {"name": "GITHUB_TOKEN", "valueFrom": {"secretKeyRef": {"name": "gh", "key": "token"}}}
    app = container("app", "requarks/wiki:2.5.307", env=[ref])
    objects = replace(clean_objects(), "StatefulSet", statefulset(containers=[app]))
    assert run(objects=objects, rule="secret-env-plain") == []
