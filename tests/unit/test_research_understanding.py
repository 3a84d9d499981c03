"""What kind of product a query asks for and an item is, and the attributes a shopper states."""

from __future__ import annotations

import pytest

from shopper.research.attributes import product_attributes, query_attributes, read_intent
from shopper.research.catalog_data import derive_category
from shopper.research.product_types import product_type, query_type, type_words
from shopper.research.text import analyze

KNOWN = type_words(
    analyze("case charger tv speaker keyboard shoe pc game controller cable mount notebook drawer drive ssd")
)


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("iphone case", "case"),
        ("case for iphone 8", "case"),
        ("iphone", "smartphon"),
        ("iphone 8", "smartphon"),
        ("iphone charger", "charger"),
        ("ipad pro", "tablet"),
        ("55 inch tv", "tv"),
        ("wireless speaker", "speaker"),
        ("mechanical keyboard", "keyboard"),
        ("running shoes", "shoe"),
        ("sneakers for men", "shoe"),
        ("gaming pc", "pc"),
        ("ipod", "player"),
        ("laptop", "notebook"),
        ("cheap laptop", "notebook"),
        ("500gb ssd", "ssd"),
        ("external hard drive", "hdd"),
        ("cd drive", "optical"),
        ("external dvd drive", "optical"),
        ("usb flash drive", "drive"),
        ("notebook warranty", "servic"),
        ("tv wall mount", "mount"),
        ("sony", None),
        ("coffee", None),
    ],
)
def test_query_type_is_the_head_noun_before_for_or_the_product_line(query: str, wanted: str | None) -> None:
    assert query_type(analyze(query), KNOWN) == wanted


@pytest.mark.parametrize(
    ("category", "title", "description", "kind"),
    [
        (None, "Lenovo ThinkPad X60 Tablet 8 cell Li-Ion battery", "", "batteri"),
        (None, "Kensington Underdesk Comfort Keyboard Drawer with SmartFit®", "", "drawer"),
        ("smartphones", "iPhone X", "", "smartphon"),
        ("mobile accessories", "Apple iPhone Charger", "", "charger"),
        ("mobile accessories", "Apple Airpods", "", "earphon"),
        ("mobile accessories", "iPhone 12 Silicone Case with MagSafe Plum", "", "case"),
        ("hybrid (2-in-1)", "HP EliteBook 2740p Hybrid (2-in-1)", "", "notebook"),
        (None, 'DELL SE2719H 68.6 cm (27") 1920 x 1080 pixels Full HD LCD Black', "", "monitor"),
        (
            None,
            'Samsung Galaxy SM-G988B 17.5 cm (6.9") 16 GB 512 GB 5G USB Type-C black Android',
            "",
            "smartphon",
        ),
        ("tv", 'LG 55LE8500 TV 139.7 cm (55") Full HD', "", "tv"),
        ("mens shoes", "Puma Future Rider Trainers", "", "shoe"),
        ("adapter/inverter indoor", "Lenovo 40Y7669 power adapter/inverter indoor 90 W Black", "", "invert"),
        # a service contract is no notebook, whatever its category says
        ("notebook", "HP 2y Pickup Return Notebook Only SVC", "", "servic"),
        ("notebook", "HP 3 year Pickup and Return Commercial Notebook Only Service", "", "servic"),
        ("printer", "HP 3y Nbd Clr LasjerJet CM2320 MFP Supp", "", "servic"),
        ("warranty/support extension", "HP UP872A warranty/support extension", "", "servic"),
        # ... but a part a service engineer fits still is that part
        (
            "projector lamp",
            "Toshiba Service Replacement Lamp for TDP-T9U/S8U projector lamp 200 W",
            "",
            "lamp",
        ),
        ("writing notebook", "3M Post-it Note Pad 2007A writing notebook Yellow 225 sheets", "", "notepad"),
        # a drive with no category is read from its title or the start of its description
        (None, "Kingston Technology KC2500 M.2 500 GB PCI Express 3.0 3D TLC NVMe", "500 GB, M.2", "ssd"),
        (None, "Seagate BarraCuda Fast 500 GB Black", "BarraCuda Fast SSD, 500 GB, exFAT", "ssd"),
        (None, 'Samsung Spinpoint F3 1000GB HDD 3.5" Serial ATA II', "", "hdd"),
        ("internal hard drive", 'HP J8018A internal hard drive 2.5" 80 GB', "", "hdd"),
        ("drive", "HP 250-GB 5400rpm Primary SATA Hard Drive", "", "hdd"),
        (None, 'Fujitsu 1TB SATA 7200rpm 3.5" 1000 GB Serial ATA', "", "hdd"),
        # ... and what holds or connects a drive is no drive
        (None, "Sandberg Multi Hard Disk Box 2.5''", "", "enclosur"),
        ("drive", "HP DX115 Removable Hard Drive Carrier", "", "enclosur"),
        (None, "Sandberg USB All-In-1 Hard Disk Link", "", "adapt"),
        # ... nor is a drive that reads discs
        ("optical disc drive", "HP 48X PATA CD-ROM Drive optical disc drive", "", "optical"),
        ("drive", "HP External MultiBay II DVD-ROM Drive", "", "optical"),
        ("flash drive", "Integral EVO USB flash drive 4 GB USB Type-A 2 Blue", "", "drive"),
        ("mini pc (<= 3l)", "Shuttle XPC nano NC1010XA PC/workstation Intel® Celeron® 4205U", "", "pc"),
        # a category read from the tail of a hyphenated word: what follows it says the type
        ("shot", "Sony Cyber-shot W270 Digital compact camera", "", "camera"),
        ("sheet", "HP LaserJet 500-sheet Paper Tray", "", "tray"),
        # a platform named without storage or "console" is what a game runs on
        (
            None,
            "Sony Days Gone - Special Edition PlayStation 4",
            "Days Gone - Special Edition, PS4",
            "videogam",
        ),
        (None, "Sony PlayStation 4 Pro 1TB White 1000 GB Wi-Fi", "", "consol"),
        # a description says what the product is before what it fits
        (None, "Sony SAL55200-2", "55-200mm Telephoto Zoom Lens for Digital SLR Cameras", None),
        # a device's word before an add-on's says what it serves, not what it is
        ("laptop", "Integral IN2V2GNWNEX 2GB LAPTOP RAM MODULE DDR2 667MHZ", "", "modul"),
        (None, "DELL W009C Black", "E-View Laptop Stand", "stand"),
        (None, "Kensington Contour Balance Toploader", "Contour Balance Notebook Case", "case"),
        ("laptops", "Asus Zenbook Pro Dual Screen Laptop", "", "notebook"),
        # a set is of the kind it names
        ("speaker set", "Philips SPA2600/00 speaker set 5.1 channels", "", "speaker"),
        ("home audio set", "Philips DCM292/12 home audio set Home audio micro system Black", "", "audio"),
        ("s set", "Lego s set", "", "set"),
    ],
)
def test_product_type_corrects_wrong_or_missing_categories(
    category: str | None, title: str, description: str, kind: str | None
) -> None:
    derived = category or derive_category(title)
    assert product_type(derived, title, description) == kind


@pytest.mark.parametrize(
    ("category", "title", "main"),
    [
        ("tv", 'Samsung Q70T 189.2 cm (74.5") 4K Ultra HD Smart TV Wi-Fi Black', True),
        ("docking speaker", "Philips DCM109/37 docking speaker 2.0 channels 10 W Black", True),
        ("camera remote control", "Canon RC-6 camera remote control IR Wireless", False),
        ("toner collector", "Samsung CLX-W8380A toner collector 48000 pages", False),
        ("card reader", "Lenovo Gemplus GemPC USB Smart card reader", False),
        ("frame", "Samsung VG-SCFR49CB/XC flat panel accessory Frame", False),
        ("tripod", "Sony GP-VPT2BT tripod Digital/film cameras 3 leg(s) Black", False),
        ("notebook", "HP 2y Pickup Return Notebook Only SVC", False),
    ],
)
def test_a_main_product_is_bought_for_itself(category: str, title: str, main: bool) -> None:
    from shopper.research.product_types import is_main_product

    assert is_main_product(product_type(category, title), analyze(category), title) is main


def test_epson_stylus_printers_are_printers_not_styluses() -> None:
    assert derive_category("Epson Stylus Pro 3880") == "printer"
    assert derive_category("HP FA261A stylus pen Black") == "stylus pen"


def test_query_attributes_are_found_and_their_numeric_words_left_out_of_the_search() -> None:
    found = query_attributes("55 inch tv")
    assert [a.label for a in found.attributes] == ["55 inch"]
    assert found.rest == "tv"
    external = query_attributes("1tb external hard drive")
    assert [a.key for a in external.attributes] == ["external", "gb:1000"]
    # "external" is met only by saying it, so the word stays a search word
    assert external.rest == "external hard drive" and external.flag_words == ()
    assert [a.label for a in query_attributes("64gb usb flash drive").attributes] == ["64 GB"]
    said = {a.key for a in query_attributes("waterproof bluetooth noise cancelling headphones").attributes}
    assert said == {"waterproof", "bluetooth", "noise_cancelling"}
    sized = query_attributes("running shoes size 10")
    assert [a.key for a in sized.attributes] == ["size:10"] and sized.rest == "running shoes"


@pytest.mark.parametrize(
    ("title", "description", "surround"),
    [
        ("Philips SPA2600/00 speaker set 5.1 channels", "SPA2600 Multi-media Speaker 5.1", True),
        ("Philips Cineos DVD/SACD Home Theatre System HTS9800W/12", "superb sound quality", True),
        ("Logitech Z906 speaker set 5.1", "THX certified surround sound", True),
        ("Philips SPA2360 Multimedia Speakers 2.1", "", False),
        ("DELL AX510 soundbar speaker 1.0 channels 10 W Black", "", False),
        ("HP 5.1 GHz Wi-Fi adapter", "", False),
        ("Samsung Galaxy Buds+ Headset In-ear White", "Bluetooth 5.1, 802.11ac", False),
        ('Motorola moto e6s 15.5 cm (6.1") 2 GB 32 GB', "", False),
    ],
)
def test_surround_sound_is_said_or_read_from_the_channels(
    title: str, description: str, surround: bool
) -> None:
    assert ("surround" in product_attributes(title, description)) is surround


def test_surround_sound_is_a_stated_attribute() -> None:
    said = query_attributes("surround sound speakers")
    assert [a.label for a in said.attributes] == ["surround sound"]
    assert said.flag_words == ("surround",)


@pytest.mark.parametrize(
    ("query", "title", "verdict"),
    [
        ("external hard drive", "Seagate FreeAgent Go 640-GB external hard drive 640 GB Black", "has"),
        ("external hard drive", 'HP AU097AA internal hard drive 2.5" 500 GB Serial ATA', "conflicts"),
        ("external hard drive", "HP 20GB HDD", "silent"),
        ("internal ssd", 'DELL 9PTC2 internal solid state drive 2.5" 960 GB', "has"),
        ("internal ssd", "Verbatim Store 'n' Go external SSD 1 TB", "conflicts"),
    ],
)
def test_external_and_internal_contradict_each_other(query: str, title: str, verdict: str) -> None:
    (attribute,) = query_attributes(query).attributes
    keys = product_attributes(title, "")
    has = attribute.key in keys
    conflicts = not has and any(c in keys for c in attribute.conflicts)
    assert {"has": (True, False), "conflicts": (False, True), "silent": (False, False)}[verdict] == (
        has,
        conflicts,
    )


def test_product_attributes_read_title_and_description() -> None:
    tv = product_attributes('Samsung UE55RU7099UXZG TV 139.7 cm (55") 4K Ultra HD Smart TV Wi-Fi Black', "")
    assert {"inch:55", "4k", "wireless"} <= tv
    speaker = product_attributes("Sony Portable Speaker", "Connects over Bluetooth, IPX7 waterproof")
    assert {"bluetooth", "wireless", "waterproof"} <= speaker
    headset = product_attributes("HP iPAQ Stereo Wired 3.5 mm Headset", "")
    assert "wired_only" in headset and "wireless" not in headset
    drive = product_attributes("Seagate Expansion external hard drive 1 TB", "")
    assert "gb:1000" in drive
    # an interface speed is no capacity
    sas = product_attributes(
        'Lenovo 4XB7A17062 internal solid state drive 2.5" 800 GB SAS', "SAS 12 Gb/s, 3Gbps"
    )
    assert {k for k in sas if k.startswith("gb:")} == {"gb:800"}
    # a gaming line or a gaming graphics chip says "gaming" without the word
    rog = product_attributes("ASUS ROG G35DX-DS73S PC AMD Ryzen 7 3700X", "NVIDIA GeForce RTX 2070 Super")
    assert "gaming" in rog
    office = product_attributes("Lenovo V55t AMD Ryzen 5 3400G Tower PC", "AMD Radeon RX Vega 11 graphics")
    assert "gaming" not in office


def test_intent_words_become_what_to_search_and_a_relative_price_preference() -> None:
    assert read_intent("a gift for my dad who likes coffee").text == "coffee"
    assert read_intent("something for my son who loves basketball").text == "basketball"
    assert read_intent("perfume for her").text == "perfume"
    assert read_intent("sneakers for men").text == "sneakers for men"
    cheap = read_intent("budget tablet")
    assert (cheap.text, cheap.price) == ("tablet", -1)
    high = read_intent("high end laptop")
    assert (high.text, high.price) == ("laptop", 1)
    assert read_intent("laptop", cheap_hint=True).price == -1
