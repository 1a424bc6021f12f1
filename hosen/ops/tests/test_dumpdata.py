"""dumpdata and loaddata see every authority's rows, and a failed dumpdata -o leaves no file behind."""

import gzip
import io
import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.core.management.commands.dumpdata import Command as DjangosDumpdata
from django.core.serializers.json import Serializer as JsonSerializer
from django_scopes import scopes_disabled

from hosen.workmodel.models import Emergency, Round

pytestmark = pytest.mark.django_db


def rows():
    with scopes_disabled():
        return (list(Emergency.objects.order_by("pk").values_list("pk", "authority_id", "name")),
                list(Round.objects.order_by("pk").values_list("pk", "emergency_id", "number")))


def test_dumpdata_and_loaddata_go_past_the_authority_scopes(cast, tmp_path):
    fixture = tmp_path / "emergencies.json"
    # Django's own dumpdata stops at the first tenant-owned model: its manager refuses to run unscoped.
    with pytest.raises(CommandError, match="scope"):
        call_command(DjangosDumpdata(), "workmodel.emergency", stdout=io.StringIO())

    before = rows()
    assert {authority for _pk, authority, _name in before[0]} == {cast.authority.pk, cast.other_authority.pk}
    call_command("dumpdata", "workmodel.emergency", "workmodel.round", output=str(fixture), verbosity=0)
    assert len(json.loads(fixture.read_text())) == len(before[0]) + len(before[1])

    with scopes_disabled():
        Emergency.objects.all().delete()  # and their rounds with them
    assert rows() == ([], [])
    call_command("loaddata", str(fixture), verbosity=0)
    assert rows() == before


@pytest.fixture
def disk_fills_after_one_object(monkeypatch):
    written = []
    original = JsonSerializer.end_object

    def end_object(self, obj):
        if written:
            raise OSError(28, "No space left on device")
        written.append(obj)
        original(self, obj)

    monkeypatch.setattr(JsonSerializer, "end_object", end_object)


def test_a_failed_dumpdata_leaves_no_truncated_file(cast, tmp_path, disk_fills_after_one_object):
    target = tmp_path / "hosen.json"
    with pytest.raises(CommandError, match="No space left"):
        call_command("dumpdata", "tenancy", output=str(target), verbosity=0)
    assert os.listdir(tmp_path) == []

    # What the override prevents: Django's own command leaves the half-written file in place.
    with scopes_disabled(), pytest.raises(CommandError, match="No space left"):
        call_command(DjangosDumpdata(), "tenancy", output=str(target), verbosity=0)
    assert target.read_text().startswith("[")
    with pytest.raises(json.JSONDecodeError):
        json.loads(target.read_text())


def test_dumpdata_output_keeps_its_compression(cast, tmp_path):
    target = tmp_path / "hosen.json.gz"
    call_command("dumpdata", "tenancy.authority", output=str(target), verbosity=0)
    assert os.listdir(tmp_path) == ["hosen.json.gz"]
    slugs = {o["fields"]["slug"] for o in json.loads(gzip.decompress(target.read_bytes()))}
    assert slugs == {"alpha", "beta"}
