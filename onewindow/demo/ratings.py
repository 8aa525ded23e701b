"""Demo 好差评: window-visit ratings at the demo centre from ``ratings.json`` (channels, levels and comments
in the file's proportions, spread over the last months), and the bad ones worked through the rectification
loop by the window department's head — all through ``ratings.services``, like real ratings."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from onewindow.demo.workflow import _clock_at
from onewindow.halls.models import ServiceCentre
from onewindow.ratings import services
from onewindow.ratings.models import Rating, Rectification

DATA_FILE = Path(__file__).with_name("ratings.json")


def _spread(weights: dict[str, int], count: int) -> list[str]:
    total = sum(weights.values())
    values = [key for key, weight in weights.items() for _ in range(round(count * weight / total))]
    return (values + [next(iter(weights))] * count)[:count]


def ratings_demo_load() -> dict[str, int]:
    """Create the demo ratings unless the centre has ratings already; return how many were created."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    centre = ServiceCentre.objects.filter(name=data["centre"]).first()
    created = {"ratings": 0, "rectifications_worked": 0}
    if centre is None or Rating.objects.filter(centre=centre).exists():
        return created
    head = get_user_model().objects.filter(username=data["callback_user"]).first()
    generator = random.Random(14)  # noqa: S311 (a fixed seed: the same demo every time, no secret)
    count = int(data["count"])
    levels, channels = _spread(data["levels"], count), _spread(data["channels"], count)
    generator.shuffle(levels)
    generator.shuffle(channels)
    days = sorted((generator.randint(0, int(data["days_back"])) for _ in range(count)), reverse=True)
    for index, (level, channel, days_ago) in enumerate(zip(levels, channels, days, strict=True)):
        comments = data["comments"].get(level, [])
        with _clock_at(days_ago):
            rating = services.rating_window_submit(
                centre=centre,
                window_code=generator.choice(data["windows"]),
                rater=None,
                channel=channel,
                level=level,
                comment=generator.choice(comments) if comments and index % 3 == 0 else "",
            )
            created["ratings"] += 1
            if head is None or not rating.is_bad or generator.random() > float(data["fixed_share"]):
                continue
            fix = generator.choice(data["fixes"])
            rectification = Rectification.objects.get(rating=rating)
            services.rectification_callback_record(
                rectification=rectification, actor=head, reached=True, result=fix["callback"]
            )
            services.rectification_resolve(
                rectification=rectification, actor=head, outcome=fix["outcome"], note=fix["note"]
            )
            created["rectifications_worked"] += 1
    return created
