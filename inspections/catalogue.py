"""Checklists a city starts from, one per asset type, graded on the type's scale.

Item kinds: ok_defect (sound, or a defect), number (with a unit), choice, text.
"""


def _item(key, component_ja, component_en, question_ja, question_en, kind="ok_defect", **extra):
    return {
        "key": key,
        "component": {"ja": component_ja, "en": component_en},
        "question": {"ja": question_ja, "en": question_en},
        "kind": kind,
        **extra,
    }


LIGHT = [
    _item("lamp", "灯具", "Lamp", "点灯するか", "Does it light?"),
    _item("cover", "灯具カバー", "Cover", "破損・汚れはないか", "Is the cover intact and clean?"),
    _item("pole_body", "支柱", "Pole", "腐食・亀裂・変形はないか", "Corrosion, cracks or bending?"),
    _item(
        "pole_base",
        "支柱基部",
        "Pole base",
        "地際の腐食・亀裂はないか",
        "Corrosion or cracks at ground level?",
    ),
    _item("tilt", "支柱", "Pole", "傾き", "Tilt", kind="number", unit="°", min=0, max=90),
    _item("wiring", "配線", "Wiring", "露出・損傷はないか", "Exposed or damaged wiring?"),
    _item(
        "plate_loss",
        "支柱基部",
        "Pole base",
        "板厚の減少率",
        "Wall thickness lost",
        kind="number",
        unit="%",
        min=0,
        max=100,
    ),
]

PLAY = [
    _item(
        "structure",
        "構造部材",
        "Structure",
        "腐食・変形・亀裂はないか",
        "Corrosion, bending or cracks in the structure?",
    ),
    _item(
        "moving_parts",
        "可動部",
        "Moving parts",
        "摩耗・異音はないか",
        "Wear or noise in moving parts?",
    ),
    _item(
        "fasteners",
        "ボルト・接合部",
        "Bolts and joints",
        "緩み・欠落はないか",
        "Loose or missing bolts?",
    ),
    _item("edges", "表面", "Surfaces", "突起・鋭利な角はないか", "Protrusions or sharp edges?"),
    _item("ground", "地面", "Ground", "くぼみ・石はないか", "Holes or stones in the ground below?"),
    _item(
        "safety_zone", "安全領域", "Safety zone", "障害物はないか", "Obstacles in the safety zone?"
    ),
    _item(
        "chain_wear",
        "チェーン・吊り金具",
        "Chains and hangers",
        "摩耗量",
        "Wear",
        kind="number",
        unit="mm",
        min=0,
        max=50,
    ),
    _item(
        "paint",
        "塗装",
        "Paint",
        "はがれ・さび",
        "Paint",
        kind="choice",
        choices=["good", "peeling", "rusting"],
    ),
]

FACILITY = [
    _item("structure", "本体", "Body", "破損・腐食はないか", "Damage or corrosion?"),
    _item("function", "機能", "Function", "使用できるか", "Can it be used?"),
    _item("cleanliness", "清掃", "Cleanliness", "汚損・落書きはないか", "Soiling or graffiti?"),
]

PARK = [
    _item("paths", "園路", "Paths", "段差・陥没はないか", "Steps or holes in the paths?"),
    _item("fences", "柵・フェンス", "Fences", "破損はないか", "Damaged fences?"),
    _item(
        "trees", "樹木", "Trees", "枯れ枝・倒木の恐れはないか", "Dead branches or falling trees?"
    ),
    _item(
        "drainage",
        "排水",
        "Drainage",
        "水たまり・詰まりはないか",
        "Standing water or blocked drains?",
    ),
]

ROAD = [
    _item(
        "cracking",
        "舗装",
        "Pavement",
        "ひび割れ率",
        "Cracking",
        kind="number",
        unit="%",
        min=0,
        max=100,
    ),
    _item(
        "rutting",
        "舗装",
        "Pavement",
        "わだち掘れ量",
        "Rutting",
        kind="number",
        unit="mm",
        min=0,
        max=200,
    ),
    _item(
        "iri",
        "舗装",
        "Pavement",
        "IRI（平たん性）",
        "IRI",
        kind="number",
        unit="mm/m",
        min=0,
        max=30,
    ),
    _item(
        "potholes",
        "舗装",
        "Pavement",
        "ポットホールの数",
        "Potholes",
        kind="number",
        unit="",
        min=0,
        max=500,
    ),
    _item("drainage", "側溝", "Gutters", "破損・詰まりはないか", "Damaged or blocked gutters?"),
    _item("markings", "区画線", "Markings", "消えかけていないか", "Faded road markings?"),
]

CHECKLISTS = {
    "security-light": LIGHT,
    "streetlight": LIGHT,
    "park-light": LIGHT,
    "park": PARK,
    "swing": PLAY,
    "slide": PLAY,
    "climbing-frame": PLAY,
    "horizontal-bar": PLAY,
    "seesaw": PLAY,
    "sandbox": PLAY,
    "combination-play": PLAY,
    "bench": FACILITY,
    "toilet": FACILITY,
    "fence": FACILITY,
    "drinking-fountain": FACILITY,
    "road-segment": ROAD,
}
