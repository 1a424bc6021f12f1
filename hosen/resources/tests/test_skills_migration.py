"""The migration that made typed skills their authority's own: each goes to the authority whose people hold
it, one copy per authority when several do; the loaded vocabulary stays shared."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

BEFORE = [("resources", "0002_text_limits")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_typed_skills_go_to_the_authorities_whose_people_hold_them():
    from hosen.tenancy.models import Authority, Cluster, Network

    network = Network.objects.create(name="N", slug="n")
    cluster = Cluster.objects.create(network=network, name="C")
    alpha, beta, gamma = (Authority.objects.create(cluster=cluster, name=slug, slug=slug)
                          for slug in ("alpha", "beta", "gamma"))
    latest = [node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "resources"]

    old = _migrate(BEFORE)
    Skill, Person = old.get_model("resources", "Skill"), old.get_model("resources", "Person")

    def typed(name, added_by):
        return Skill.objects.create(key=name.lower(), name_he=name, name_ar=name, name_en=name, categories=[],
                                    added_by_id=added_by.pk if added_by else None)

    def person(name, authority, *skills):
        held = Person.objects.create(authority_id=authority.pk, name=name, kind="staff")
        held.skills.set(skills)
        return held

    driving = Skill.objects.create(key="driving", name_he="נהיגה", name_ar="قيادة السيارات", name_en="Driving",
                                   categories=["logistics"])
    puppets = typed("Puppets", alpha)  # held in alpha and in beta
    unused = typed("Unused", gamma)  # held by nobody: stays with gamma
    lost = typed("Lost", gamma)  # held only in alpha
    orphan = typed("Orphan", None)  # its authority is gone; held in beta
    typed("Ghost", None)  # its authority is gone, held by nobody
    person("Alpha one", alpha, puppets, driving, lost)
    person("Beta one", beta, puppets, orphan)
    person("Beta two", beta, puppets)

    _migrate(latest)
    from hosen.resources.models import Person as NowPerson
    from hosen.resources.models import Skill as NowSkill

    def held(name):
        with scopes_disabled():
            return {(s.name_en, s.authority.slug if s.authority else None)
                    for s in NowPerson.objects.get(name=name).skills.select_related("authority")}

    assert NowSkill.objects.get(pk=driving.pk).authority is None
    assert NowSkill.objects.get(pk=puppets.pk).authority == alpha  # the authority that typed it keeps it
    assert NowSkill.objects.get(pk=unused.pk).authority == gamma
    assert NowSkill.objects.get(pk=lost.pk).authority == alpha
    assert NowSkill.objects.get(pk=orphan.pk).authority == beta
    assert not NowSkill.objects.filter(name_en="Ghost").exists()
    assert held("Alpha one") == {("Puppets", "alpha"), ("Driving", None), ("Lost", "alpha")}
    assert held("Beta one") == {("Puppets", "beta"), ("Orphan", "beta")}
    assert held("Beta two") == {("Puppets", "beta")}
    beta_puppets = NowSkill.objects.get(authority=beta, name_en="Puppets")
    assert beta_puppets.key != puppets.key and beta_puppets.name_key == "puppets"
