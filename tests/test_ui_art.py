"""Art loading: every shipped portrait and background renders; the cache stays within its budget."""
from __future__ import annotations

import pygame
import pytest

from simulator.content.loader import bundled_scenarios, load_scenario
from simulator.engine.session import PersonView
from simulator.ui.art import EXPRESSIONS, ArtCache, expression_for, person_expression, place_icon
from tests.ui_helpers import make_app


@pytest.fixture()
def display():
    app = make_app()
    yield app
    pygame.display.quit()


def test_expression_follows_distress_and_anger_only_follows_behaviour():
    assert [expression_for(level) for level in range(7)] == list(EXPRESSIONS)
    assert [expression_for(level) for level in range(7)] == ["calm", "anxious", "anxious"] + ["upset"] * 4
    for level in range(7):  # distress alone is never drawn as anger, whatever the person is not doing
        for shows in (None, "compliant", "not-responding", "pulling-away"):
            assert expression_for(level, shows) != "angry"
        assert expression_for(level, "assaultive") == "angry"
        assert expression_for(level, "life-threatening", "others") == "angry"
        assert expression_for(level, "life-threatening", "self") != "angry"  # a crisis, not anger


def test_each_person_has_their_own_expression():
    def person(role, level, expression=None):
        return PersonView("p", "P", role, None, level, expression, "here")
    assert person_expression(person("subject", 4)) == "upset"
    assert person_expression(person("subject", 0, "angry")) == "angry"  # staging wins
    assert person_expression(person("subject", 6), "assaultive", "officers") == "angry"
    assert person_expression(person("subject", 6), "life-threatening", "self") == "upset"
    assert person_expression(person("partner", None)) == "calm"  # no expression_from: calm
    assert person_expression(person("partner", None), "assaultive", "officers") == "calm"  # shows is the subject's
    assert person_expression(person("bystander", 2)) == "anxious"  # its own variable's level
    assert person_expression(person("bystander", 9), "assaultive", "others") == "upset"  # a level is never anger
    assert person_expression(person("bystander", None, "upset")) == "upset"


def test_place_icons_are_drawn_in_two_colours(display):
    for where in ("in-car", "on-phone"):
        icon = place_icon(where, 40, (255, 255, 255), (0, 0, 0))
        colours = {tuple(icon.get_at((x, y)))[:3] for x in range(40) for y in range(40) if icon.get_at((x, y)).a == 255}
        assert (255, 255, 255) in colours and (0, 0, 0) in colours
    assert place_icon("in-car", 40, (255, 255, 255), (0, 0, 0)).get_view("2").raw != \
        place_icon("on-phone", 40, (255, 255, 255), (0, 0, 0)).get_view("2").raw


def test_scene_draws_anger_only_for_the_subject_at_a_threatening_node(monkeypatch):
    """What a node `shows` counts for the subject only; nobody else follows the subject's distress
    (a scene's staging may still set anyone's expression, angry included)."""
    import dataclasses

    from simulator.ui.screens.scene import SceneScreen
    from tests.ui_helpers import DT
    app = make_app()
    entry = next(e for e in app.catalog.entries if e.ok)
    scenario = entry.scenario
    node = next(n for n in scenario.nodes if len(n.present) > 1 and any(
        scenario.characters[p].role == "subject" for p in n.present if p in scenario.characters))
    calls = []
    real = app.art.portrait

    def spy(folder, level, height, base=None, shows=None, toward=None, expression=None):
        calls.append((folder, expression))
        return real(folder, level, height, base, shows, toward, expression)
    monkeypatch.setattr(app.art, "portrait", spy)
    scene = SceneScreen(app, entry, scenario.language)
    app.push(scene)
    threatening = dataclasses.replace(node, shows="assaultive", toward="officers", staging={})
    scene.scenario = dataclasses.replace(scenario, nodes=tuple(threatening if n is node else n for n in scenario.nodes))
    scene.session.scenario = scene.scenario
    scene.session.state = scene.session.state._replace(at=node.index)
    scene._new_moment()
    scene.build()
    app.step(DT)
    subject = next(c.portrait for c in scenario.characters.values() if c.role == "subject")
    assert (subject, "angry") in calls
    others = [expression for folder, expression in calls if folder != subject]
    assert others and "angry" not in others
    partner = next(c.portrait for c in scenario.characters.values() if c.role == "partner")
    assert {e for f, e in calls if f == partner} == {"calm"}  # the partner never follows the subject
    pygame.display.quit()


def test_every_character_and_location_of_every_shipped_scenario_has_art(display):
    art = ArtCache()
    for path in bundled_scenarios():
        scenario = load_scenario(path).scenario
        for character in scenario.characters.values():
            assert character.portrait, f"{scenario.id}: {character.id} has no portrait"
            for level in (0, 1, 3, 5):
                image = art.portrait(character.portrait, level, 400)
                assert image is not None and image.get_size() == (300, 400)
        for background in {n.background for n in scenario.nodes} - {None}:
            image = art.background(background, (1280, 720))
            assert image.get_size() == (1280, 720)
    assert art.failures == []


def test_missing_or_escaping_paths_give_no_image_and_a_reason(display):
    art = ArtCache()
    assert art.portrait("portraits/nobody", 0, 200) is None
    assert art.portrait("../../etc", 0, 200) is None
    fallback = art.background("backgrounds/missing.svg", (1280, 720))
    assert fallback.get_size() == (1280, 720)  # a drawn gradient instead
    assert len(art.failures) == 3


def test_cache_keeps_to_its_byte_budget(display):
    art = ArtCache(budget_bytes=3 * 300 * 400 * 4)
    for level, height in ((0, 400), (1, 400), (3, 400), (5, 400)):
        art.portrait("portraits/ruth-lindqvist", level, height)
    assert art.bytes <= art.budget
    assert len(art._cache) == 3  # the least recently used image was dropped
    again = art.portrait("portraits/ruth-lindqvist", 0, 400)  # rendered again on demand
    assert again is not None and again.get_size() == (300, 400)


def test_every_outcome_class_in_the_schema_has_a_label():
    import json

    from simulator.paths import scenarios_dir
    from simulator.vocabulary import OUTCOME_NAMES
    schema = json.loads((scenarios_dir() / "scenario.schema.json").read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "outcome" in node and isinstance(node["outcome"], dict) and "enum" in node["outcome"]:
                found.extend(node["outcome"]["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(schema)
    assert found and set(found) == set(OUTCOME_NAMES)
