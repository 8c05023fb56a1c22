"""The standard catalogue: asset types and fault categories a Japanese city starts from.

It is one long file because it is data, not logic: one catalogue read top to bottom, whose
asset types refer to the fault categories above them.

`catalogue_install()` (in services) writes it idempotently; a city then edits it in the admin.
Names follow GLOSSARY.md; each category and question is in the six resident languages.
"""


def _t(ja, en, pt, zh, ko, vi):
    return {"ja": ja, "en": en, "pt-br": pt, "zh-hans": zh, "ko": ko, "vi": vi}


# --- Fault categories -----------------------------------------------------------------------
# (code, group, names, severity 1-5, response target, questions). The target is in hours,
# counted round the clock, for what cannot wait; routine work counts business days
# (_business_days(n): weekends, national holidays and 29 Dec to 3 Jan do not count).


def _business_days(count):
    return {"business_days": count}


_SINCE = {
    "key": "since",
    "kind": "choice",
    "label": _t(
        "いつからですか",
        "Since when?",
        "Desde quando?",
        "从什么时候开始？",
        "언제부터입니까?",
        "Từ khi nào?",
    ),
    "choices": [
        {"value": "today", "label": _t("今日", "Today", "Hoje", "今天", "오늘", "Hôm nay")},
        {
            "value": "days",
            "label": _t(
                "数日前から",
                "A few days",
                "Há alguns dias",
                "几天前",
                "며칠 전부터",
                "Vài ngày nay",
            ),
        },
        {
            "value": "week",
            "label": _t(
                "1週間以上前から",
                "Over a week",
                "Há mais de uma semana",
                "一周以上",
                "일주일 이상",
                "Hơn một tuần",
            ),
        },
        {
            "value": "unknown",
            "label": _t("わからない", "Not sure", "Não sei", "不清楚", "모르겠음", "Không rõ"),
        },
    ],
}
_DANGER = {
    "key": "danger_now",
    "kind": "boolean",
    "danger_when": [True],
    "label": _t(
        "今にも倒れそう・落ちそうですか",
        "Is it about to fall?",
        "Está prestes a cair?",
        "是否快要倒下或掉落？",
        "곧 쓰러지거나 떨어질 것 같습니까?",
        "Có sắp đổ hoặc rơi không?",
    ),
}
_SIZE = {
    "key": "width",
    "kind": "choice",
    "label": _t(
        "大きさ（幅）はどのくらいですか",
        "How wide is it?",
        "Qual a largura?",
        "大概有多宽？",
        "폭은 어느 정도입니까?",
        "Rộng khoảng bao nhiêu?",
    ),
    "choices": [
        {
            "value": "lt30",
            "label": _t(
                "30cm未満", "Under 30 cm", "Menos de 30 cm", "不到30厘米", "30cm 미만", "Dưới 30 cm"
            ),
        },
        {
            "value": "30to100",
            "label": _t(
                "30cm〜1m",
                "30 cm to 1 m",
                "De 30 cm a 1 m",
                "30厘米到1米",
                "30cm~1m",
                "Từ 30 cm đến 1 m",
            ),
        },
        {
            "value": "gt100",
            "label": _t("1m以上", "Over 1 m", "Mais de 1 m", "1米以上", "1m 이상", "Trên 1 m"),
        },
    ],
}
_DEPTH = {
    "key": "depth_cm",
    "kind": "integer",
    "unit": "cm",
    "min": 0,
    "max": 500,
    "label": _t(
        "深さ（cm、わかれば）",
        "Depth in cm, if you can tell",
        "Profundidade em cm, se souber",
        "深度（厘米，如知道）",
        "깊이(cm, 아는 경우)",
        "Độ sâu (cm, nếu biết)",
    ),
}
_WHEEL = {
    "key": "wheel_hole",
    "kind": "boolean",
    "danger_when": [True],
    "label": _t(
        "タイヤがはまるほどの大きさ・深さですか",
        "Could a wheel drop into it?",
        "Uma roda poderia cair nele?",
        "车轮会陷进去吗？",
        "바퀴가 빠질 정도의 크기·깊이입니까?",
        "Bánh xe có thể bị sụt vào không?",
    ),
}
_PART = {
    "key": "part",
    "kind": "text",
    "label": _t(
        "どの部分ですか（例：鎖、座板、手すり）",
        "Which part? (e.g. chain, seat, handrail)",
        "Qual parte? (ex.: corrente, assento, corrimão)",
        "哪个部分？（例如：链条、座板、扶手）",
        "어느 부분입니까? (예: 체인, 좌석, 손잡이)",
        "Bộ phận nào? (ví dụ: xích, ghế, tay vịn)",
    ),
}
_BLOCKING = {
    "key": "blocking_traffic",
    "kind": "boolean",
    "label": _t(
        "通行の妨げになっていますか",
        "Is it blocking traffic?",
        "Está bloqueando a passagem?",
        "是否妨碍通行？",
        "통행에 방해가 됩니까?",
        "Có cản trở giao thông không?",
    ),
}

FAULT_CATEGORIES = [
    # Lights (防犯灯・街路灯)
    (
        "lamp-out",
        "lighting",
        _t(
            "夜間に点灯しない",
            "Lamp out at night",
            "Lâmpada apagada à noite",
            "夜间不亮",
            "밤에 불이 안 켜짐",
            "Đèn không sáng vào ban đêm",
        ),
        3,
        _business_days(5),
        [_SINCE],
    ),
    (
        "flickering",
        "lighting",
        _t("点滅する・ちらつく", "Flickering", "Piscando", "闪烁", "깜빡임", "Đèn nhấp nháy"),
        2,
        _business_days(10),
        [_SINCE],
    ),
    (
        "lit-in-daytime",
        "lighting",
        _t(
            "昼間も点灯している",
            "Lit in daytime",
            "Acesa durante o dia",
            "白天也亮着",
            "낮에도 켜져 있음",
            "Đèn sáng cả ban ngày",
        ),
        1,
        _business_days(10),
        [],
    ),
    (
        "lamp-broken",
        "lighting",
        _t(
            "灯具・カバーの破損",
            "Lamp or cover broken",
            "Luminária ou cobertura quebrada",
            "灯具或灯罩损坏",
            "등기구·커버 파손",
            "Chao đèn hoặc nắp bị vỡ",
        ),
        3,
        _business_days(5),
        [],
    ),
    (
        "pole-damaged",
        "lighting",
        _t(
            "支柱の傾き・損傷・腐食",
            "Pole leaning, damaged or corroded",
            "Poste inclinado, danificado ou corroído",
            "灯杆倾斜、损坏或腐蚀",
            "기둥 기울어짐·손상·부식",
            "Cột bị nghiêng, hư hỏng hoặc ăn mòn",
        ),
        5,
        24,
        [_DANGER],
    ),
    (
        "exposed-wiring",
        "lighting",
        _t(
            "配線がむき出し",
            "Exposed wiring",
            "Fiação exposta",
            "电线外露",
            "배선 노출",
            "Dây điện bị hở",
        ),
        5,
        4,
        [],
    ),
    (
        "light-blocked",
        "lighting",
        _t(
            "樹木で光が遮られている",
            "Light blocked by trees",
            "Luz bloqueada por árvores",
            "灯光被树木遮挡",
            "나무가 빛을 가림",
            "Ánh sáng bị cây che khuất",
        ),
        1,
        _business_days(20),
        [],
    ),
    (
        "lighting-other",
        "lighting",
        _t("その他", "Other", "Outro", "其他", "기타", "Khác"),
        2,
        _business_days(10),
        [],
    ),
    # Parks and playgrounds (遊具・公園施設)
    (
        "broken-part",
        "park",
        _t(
            "部品の破損", "Broken part", "Peça quebrada", "部件损坏", "부품 파손", "Bộ phận bị hỏng"
        ),
        4,
        72,
        [_PART],
    ),
    (
        "loose-part",
        "park",
        _t(
            "ぐらつき・ボルトの緩み",
            "Loose part or bolt",
            "Peça ou parafuso solto",
            "松动或螺栓松脱",
            "흔들림·볼트 풀림",
            "Bộ phận hoặc bu lông bị lỏng",
        ),
        4,
        72,
        [_PART],
    ),
    (
        "sharp-edge",
        "park",
        _t(
            "鋭い角・突起",
            "Sharp edge or protrusion",
            "Borda afiada ou saliência",
            "尖角或突起",
            "날카로운 모서리·돌기",
            "Cạnh sắc hoặc phần nhô ra",
        ),
        4,
        48,
        [_PART],
    ),
    (
        "rust",
        "park",
        _t(
            "さび・腐食",
            "Rust or corrosion",
            "Ferrugem ou corrosão",
            "生锈或腐蚀",
            "녹·부식",
            "Gỉ sét hoặc ăn mòn",
        ),
        2,
        _business_days(20),
        [],
    ),
    (
        "peeling-paint",
        "park",
        _t(
            "塗装のはがれ",
            "Peeling paint",
            "Tinta descascando",
            "油漆剥落",
            "도장 벗겨짐",
            "Sơn bị bong tróc",
        ),
        1,
        _business_days(60),
        [],
    ),
    (
        "ground-hole",
        "park",
        _t(
            "地面のくぼみ",
            "Hole or dip in the ground",
            "Buraco ou depressão no chão",
            "地面凹陷",
            "지면 패임",
            "Mặt đất bị lõm hoặc có hố",
        ),
        3,
        _business_days(10),
        [_SIZE],
    ),
    (
        "bench-fence-broken",
        "park",
        _t(
            "ベンチ・柵の破損",
            "Broken bench or fence",
            "Banco ou cerca quebrada",
            "长椅或栅栏损坏",
            "벤치·울타리 파손",
            "Ghế băng hoặc hàng rào bị hỏng",
        ),
        3,
        _business_days(10),
        [],
    ),
    (
        "toilet-out-of-order",
        "park",
        _t(
            "トイレの故障",
            "Toilet out of order",
            "Banheiro com defeito",
            "厕所故障",
            "화장실 고장",
            "Nhà vệ sinh bị hỏng",
        ),
        3,
        72,
        [],
    ),
    (
        "graffiti",
        "park",
        _t("落書き", "Graffiti", "Pichação", "涂鸦", "낙서", "Vẽ bậy"),
        1,
        _business_days(20),
        [],
    ),
    (
        "park-other",
        "park",
        _t("その他", "Other", "Outro", "其他", "기타", "Khác"),
        2,
        _business_days(10),
        [],
    ),
    # Roads (道路)
    (
        "pothole",
        "road",
        _t(
            "穴（ポットホール）",
            "Pothole",
            "Buraco na via",
            "路面坑洞",
            "포트홀(도로 구멍)",
            "Ổ gà",
        ),
        4,
        72,
        [_WHEEL, _SIZE, _DEPTH],
    ),
    (
        "crack",
        "road",
        _t("ひび割れ", "Crack", "Rachadura", "裂缝", "균열", "Vết nứt"),
        2,
        _business_days(20),
        [],
    ),
    (
        "step-subsidence",
        "road",
        _t(
            "段差・陥没",
            "Step or subsidence",
            "Desnível ou afundamento",
            "高低差或塌陷",
            "단차·함몰",
            "Chênh lệch hoặc sụt lún",
        ),
        4,
        72,
        [_WHEEL, _SIZE],
    ),
    (
        "debris",
        "road",
        _t(
            "落下物・障害物",
            "Debris or obstacle",
            "Objeto caído ou obstáculo",
            "掉落物或障碍物",
            "낙하물·장애물",
            "Vật rơi hoặc chướng ngại vật",
        ),
        5,
        24,
        [_BLOCKING],
    ),
    (
        "gutter-cover",
        "road",
        _t(
            "側溝・ふたの破損",
            "Broken gutter or cover",
            "Sarjeta ou tampa quebrada",
            "边沟或盖板损坏",
            "측구·덮개 파손",
            "Rãnh thoát nước hoặc nắp bị hỏng",
        ),
        4,
        72,
        [],
    ),
    (
        "guardrail-sign",
        "road",
        _t(
            "ガードレール・標識の破損",
            "Damaged guardrail or sign",
            "Guarda-corpo ou placa danificada",
            "护栏或标志损坏",
            "가드레일·표지판 파손",
            "Lan can hoặc biển báo bị hỏng",
        ),
        4,
        72,
        [],
    ),
    (
        "flooding",
        "road",
        _t("冠水", "Flooding", "Alagamento", "积水", "침수", "Ngập nước"),
        5,
        12,
        [_BLOCKING],
    ),
    (
        "vegetation",
        "road",
        _t(
            "草木の繁茂",
            "Overgrown vegetation",
            "Vegetação excessiva",
            "草木过度生长",
            "초목 무성",
            "Cây cỏ mọc um tùm",
        ),
        2,
        _business_days(20),
        [],
    ),
    (
        "road-other",
        "road",
        _t("その他", "Other", "Outro", "其他", "기타", "Khác"),
        2,
        _business_days(10),
        [],
    ),
]

# Danger to people whatever the answers: these come first in the queue. Others are marked
# by an answer (danger_when): a pole about to fall (_DANGER), a hole a wheel drops into
# (_WHEEL).
DANGER_TO_PEOPLE = {"exposed-wiring"}

LIGHTING = [c[0] for c in FAULT_CATEGORIES if c[1] == "lighting"]
PARK = [c[0] for c in FAULT_CATEGORIES if c[1] == "park"]
ROAD = [c[0] for c in FAULT_CATEGORIES if c[1] == "road"]
PLAY = [
    "broken-part",
    "loose-part",
    "sharp-edge",
    "rust",
    "peeling-paint",
    "ground-hole",
    "graffiti",
    "park-other",
]


# --- Attribute specs ------------------------------------------------------------------------
def _attr(key, kind, ja, en, **extra):
    return {"key": key, "kind": kind, "label": {"ja": ja, "en": en}, **extra}


def _choice(value, ja, en):
    return {"value": value, "label": {"ja": ja, "en": en}}


_COST = _attr(
    "procurement_cost", "integer", "調達費用", "Procurement cost", unit="円", min=0, internal=True
)
_SUPPLIER = _attr("supplier", "text", "納入業者", "Supplier", internal=True)
_NOTES = _attr("internal_notes", "text", "内部メモ", "Internal notes", internal=True)

_LIGHT_ATTRS = [
    _attr(
        "lamp_type",
        "choice",
        "灯具の種類",
        "Lamp type",
        choices=[
            _choice("led", "LED", "LED"),
            _choice("fluorescent", "蛍光灯", "Fluorescent"),
            _choice("mercury", "水銀灯", "Mercury vapour"),
            _choice("sodium", "ナトリウム灯", "Sodium"),
        ],
    ),
    _attr("wattage", "integer", "消費電力", "Wattage", unit="W", min=0, max=2000),
    _attr(
        "pole_material",
        "choice",
        "支柱の材質",
        "Pole material",
        choices=[
            _choice("steel", "鋼管", "Steel"),
            _choice("concrete", "コンクリート", "Concrete"),
            _choice("aluminium", "アルミ", "Aluminium"),
            _choice("wood", "木", "Wood"),
            _choice("utility_pole", "電柱共架", "Mounted on a utility pole"),
        ],
    ),
    _attr("pole_height_m", "decimal", "支柱の高さ", "Pole height", unit="m", min=0, max=30),
    _attr("circuit", "text", "電気契約番号", "Power contract number"),
]

_PLAY_ATTRS = [
    _attr(
        "material",
        "choice",
        "材質",
        "Material",
        choices=[
            _choice("steel", "鋼製", "Steel"),
            _choice("stainless", "ステンレス", "Stainless steel"),
            _choice("wood", "木製", "Wood"),
            _choice("frp", "FRP・樹脂", "FRP / plastic"),
            _choice("concrete", "コンクリート", "Concrete"),
        ],
    ),
    _attr("manufacturer", "text", "製造者", "Manufacturer"),
    _attr(
        "age_group",
        "choice",
        "対象年齢",
        "Age group",
        choices=[
            _choice("3-6", "3〜6歳", "3 to 6"),
            _choice("6-12", "6〜12歳", "6 to 12"),
            _choice("all", "全年齢", "All ages"),
        ],
    ),
    _attr("sp_mark", "boolean", "SPマーク", "JPFA SP mark"),
]

_PARK_ATTRS = [
    _attr("area_m2", "decimal", "面積", "Area", unit="m²", min=0),
    _attr(
        "park_kind",
        "choice",
        "公園種別",
        "Park kind",
        choices=[
            _choice("block", "街区公園", "Block park"),
            _choice("neighbourhood", "近隣公園", "Neighbourhood park"),
            _choice("district", "地区公園", "District park"),
            _choice("comprehensive", "総合公園", "Comprehensive park"),
            _choice("sports", "運動公園", "Sports park"),
            _choice("green", "緑地", "Green space"),
        ],
    ),
    _attr("has_toilet", "boolean", "トイレ", "Toilet"),
    _attr("management_contractor", "text", "管理委託先", "Management contractor", internal=True),
]

_ROAD_ATTRS = [
    _attr(
        "road_class",
        "choice",
        "道路種別",
        "Road class",
        required=True,
        choices=[
            _choice("city", "市道", "City road"),
            _choice("prefectural", "県道", "Prefectural road"),
            _choice("national", "国道", "National road"),
            _choice("farm", "農道", "Farm road"),
        ],
    ),
    _attr("route_name", "text", "路線名", "Route name"),
    _attr("route_number", "text", "路線番号", "Route number"),
    _attr("width_m", "decimal", "幅員", "Width", unit="m", min=0, max=100),
    _attr("lanes", "integer", "車線数", "Lanes", min=0, max=12),
    _attr(
        "pavement",
        "choice",
        "舗装",
        "Pavement",
        choices=[
            _choice("asphalt", "アスファルト", "Asphalt"),
            _choice("concrete", "コンクリート", "Concrete"),
            _choice("gravel", "砂利", "Gravel"),
            _choice("unpaved", "未舗装", "Unpaved"),
        ],
    ),
    _attr("last_resurfaced_on", "date", "前回舗装補修日", "Last resurfaced"),
    _COST,
    _NOTES,
]

_FACILITY_ATTRS = [
    _attr(
        "material",
        "choice",
        "材質",
        "Material",
        choices=[
            _choice("steel", "鋼製", "Steel"),
            _choice("wood", "木製", "Wood"),
            _choice("concrete", "コンクリート", "Concrete"),
            _choice("plastic", "樹脂", "Plastic"),
        ],
    ),
    _COST,
    _SUPPLIER,
]


def _type(
    code, names, geometry, scale, cycle, attrs, categories, *, parent=None, criticality=3, order=100
):
    return {
        "code": code,
        "names": names,
        "geometry_kind": geometry,
        "scale": scale,
        "inspection_cycle_months": cycle,
        "attribute_schema": attrs,
        "categories": categories,
        "parent_type": parent,
        "default_criticality": criticality,
        "sort_order": order,
    }


_FIXTURE = {"parent": "park", "order": 40}
ASSET_TYPES = [
    _type(
        "security-light",
        _t(
            "防犯灯",
            "Security light",
            "Luz de segurança",
            "防犯灯（治安照明）",
            "방범등",
            "Đèn an ninh",
        ),
        "point",
        "mlit",
        60,
        [
            *_LIGHT_ATTRS,
            _attr("association", "text", "管理自治会", "Neighbourhood association"),
            _COST,
            _SUPPLIER,
            _NOTES,
        ],
        LIGHTING,
        criticality=2,
        order=10,
    ),
    _type(
        "streetlight",
        _t("街路灯", "Streetlight", "Poste de iluminação pública", "路灯", "가로등", "Đèn đường"),
        "point",
        "mlit",
        60,
        [
            *_LIGHT_ATTRS,
            _attr("route_name", "text", "路線名", "Route name"),
            _COST,
            _SUPPLIER,
            _NOTES,
        ],
        LIGHTING,
        criticality=3,
        order=20,
    ),
    _type(
        "park",
        _t("公園", "Park", "Parque", "公园", "공원", "Công viên"),
        "polygon",
        "park",
        12,
        _PARK_ATTRS,
        PARK,
        criticality=3,
        order=30,
    ),
    _type(
        "swing",
        _t("ブランコ", "Swing", "Balanço", "秋千", "그네", "Xích đu"),
        "point",
        "park",
        12,
        [*_PLAY_ATTRS, _COST, _SUPPLIER],
        PLAY,
        criticality=4,
        **_FIXTURE,
    ),
    _type(
        "slide",
        _t("すべり台", "Slide", "Escorregador", "滑梯", "미끄럼틀", "Cầu trượt"),
        "point",
        "park",
        12,
        [*_PLAY_ATTRS, _COST, _SUPPLIER],
        PLAY,
        criticality=4,
        **_FIXTURE,
    ),
    _type(
        "climbing-frame",
        _t("ジャングルジム", "Climbing frame", "Trepa-trepa", "攀爬架", "정글짐", "Khung leo trèo"),
        "point",
        "park",
        12,
        [*_PLAY_ATTRS, _COST, _SUPPLIER],
        PLAY,
        criticality=4,
        **_FIXTURE,
    ),
    _type(
        "horizontal-bar",
        _t("鉄棒", "Horizontal bar", "Barra fixa", "单杠", "철봉", "Xà đơn"),
        "point",
        "park",
        12,
        [*_PLAY_ATTRS, _COST, _SUPPLIER],
        PLAY,
        criticality=3,
        **_FIXTURE,
    ),
    _type(
        "seesaw",
        _t("シーソー", "Seesaw", "Gangorra", "跷跷板", "시소", "Bập bênh"),
        "point",
        "park",
        12,
        [*_PLAY_ATTRS, _COST, _SUPPLIER],
        PLAY,
        criticality=4,
        **_FIXTURE,
    ),
    _type(
        "sandbox",
        _t("砂場", "Sandbox", "Caixa de areia", "沙坑", "모래놀이터", "Hố cát"),
        "point",
        "park",
        12,
        [*_PLAY_ATTRS, _COST, _SUPPLIER],
        PLAY,
        criticality=2,
        **_FIXTURE,
    ),
    _type(
        "combination-play",
        _t(
            "複合遊具",
            "Combination play structure",
            "Brinquedo combinado",
            "组合游乐设施",
            "복합 놀이기구",
            "Cụm trò chơi liên hợp",
        ),
        "point",
        "park",
        12,
        [*_PLAY_ATTRS, _COST, _SUPPLIER],
        PLAY,
        criticality=4,
        **_FIXTURE,
    ),
    _type(
        "bench",
        _t("ベンチ", "Bench", "Banco", "长椅", "벤치", "Ghế băng"),
        "point",
        "park",
        60,
        _FACILITY_ATTRS,
        ["bench-fence-broken", "broken-part", "rust", "graffiti", "park-other"],
        criticality=2,
        **_FIXTURE,
    ),
    _type(
        "toilet",
        _t(
            "公衆トイレ",
            "Public toilet",
            "Banheiro público",
            "公共厕所",
            "공중화장실",
            "Nhà vệ sinh công cộng",
        ),
        "point",
        "park",
        12,
        [
            _attr("wheelchair", "boolean", "車いす対応", "Wheelchair accessible"),
            _attr("baby_changing", "boolean", "おむつ替え", "Baby changing"),
            _attr("ostomate", "boolean", "オストメイト対応", "Ostomate facilities"),
            # Counted in seats (便座単位) and named as in the national open-data layout
            # (公衆トイレ一覧), so a city's published file imports without --map.
            _attr("male_wc", "integer", "男性トイレ総数", "Men's toilets", min=0, max=200),
            _attr("female_wc", "integer", "女性トイレ総数", "Women's toilets", min=0, max=200),
            _attr("unisex_wc", "integer", "男女共用トイレ総数", "Unisex toilets", min=0, max=200),
            _attr(
                "barrier_free_wc",
                "integer",
                "バリアフリートイレ数",
                "Barrier-free toilets",
                min=0,
                max=200,
            ),
            _attr("hours", "text", "利用可能時間", "Opening hours"),
            *_FACILITY_ATTRS[1:],
        ],
        ["toilet-out-of-order", "broken-part", "graffiti", "park-other"],
        criticality=3,
        **_FIXTURE,
    ),
    _type(
        "fence",
        _t("フェンス・柵", "Fence", "Cerca", "围栏", "울타리", "Hàng rào"),
        "line",
        "park",
        60,
        _FACILITY_ATTRS,
        ["bench-fence-broken", "sharp-edge", "rust", "graffiti", "park-other"],
        criticality=2,
        **_FIXTURE,
    ),
    _type(
        "drinking-fountain",
        _t("水飲み場", "Drinking fountain", "Bebedouro", "饮水台", "음수대", "Vòi nước uống"),
        "point",
        "park",
        12,
        _FACILITY_ATTRS,
        ["broken-part", "park-other"],
        criticality=2,
        **_FIXTURE,
    ),
    _type(
        "park-light",
        _t("公園灯", "Park light", "Luminária de parque", "公园灯", "공원등", "Đèn công viên"),
        "point",
        "mlit",
        60,
        [*_LIGHT_ATTRS, _COST, _SUPPLIER],
        LIGHTING,
        criticality=2,
        parent="park",
        order=45,
    ),
    _type(
        "road-segment",
        _t(
            "道路（区間）",
            "Road segment",
            "Trecho de via",
            "道路（路段）",
            "도로(구간)",
            "Đoạn đường",
        ),
        "line",
        "pavement",
        60,
        _ROAD_ATTRS,
        ROAD,
        criticality=3,
        order=50,
    ),
]
