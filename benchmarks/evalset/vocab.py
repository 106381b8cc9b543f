"""Word lists for the eval set: native spellings, common names, company words, legal forms.

Everything here is hand-written general knowledge (common first names, surnames, business
words), not taken from any sanctions list. Negatives built from these words are still checked
against every list name before they are emitted (see :mod:`benchmarks.evalset.negatives`).
"""

from __future__ import annotations

# Latin spelling (lower case, as lists romanise it) -> native Cyrillic per language.
# Used by translit.cyrillize so that e.g. "Omurbek" becomes Kyrgyz "Өмүрбек", not "Омурбек".


def _words(text: str) -> list[str]:
    return text.split()


def _entry(**spellings: str) -> dict[str, str]:
    return spellings


CENTRAL_ASIAN_STEMS: dict[str, dict[str, str]] = {
    # Kyrgyz
    "omurbek": _entry(ky="Өмүрбек", kk="Өмірбек"),
    "sooronbay": _entry(ky="Сооронбай"),
    "jeenbek": _entry(ky="Жээнбек"),
    "zheenbek": _entry(ky="Жээнбек"),
    "tokoev": _entry(ky="Төкөев"),
    "duishon": _entry(ky="Дүйшөн"),
    "duyshon": _entry(ky="Дүйшөн"),
    "duishenbek": _entry(ky="Дүйшөнбек"),
    "chyngyz": _entry(ky="Чыңгыз", kk="Шыңғыс"),
    "kubanychbek": _entry(ky="Кубанычбек"),
    "kamchybek": _entry(ky="Камчыбек"),
    "janyshbek": _entry(ky="Жанышбек"),
    "almazbek": _entry(ky="Алмазбек"),
    "asylbek": _entry(ky="Асылбек"),
    "ulukbek": _entry(ky="Улукбек"),
    "tilek": _entry(ky="Тилек"),
    "jyldyz": _entry(ky="Жылдыз"),
    "cholpon": _entry(ky="Чолпон"),
    "nazgul": _entry(ky="Назгүл"),
    "kurmanbek": _entry(ky="Курманбек"),
    "sadyr": _entry(ky="Садыр"),
    "japar": _entry(ky="Жапар", kk="Жапар"),
    "zhaparov": _entry(ky="Жапаров"),
    "zhakyp": _entry(ky="Жакып", kk="Жақып"),
    "matraim": _entry(ky="Матраим"),
    "raimbek": _entry(ky="Райымбек"),
    "kolbaev": _entry(ky="Колбаев"),
    "kolbayev": _entry(ky="Колбаев"),
    "adilet": _entry(ky="Адилет", kk="Әділет"),
    "mirlan": _entry(ky="Мирлан"),
    "nurbek": _entry(ky="Нурбек", kk="Нұрбек"),
    "tursunbek": _entry(ky="Турсунбек"),
    "bolot": _entry(ky="Болот"),
    "bakyt": _entry(ky="Бакыт", kk="Бақыт"),
    "bakhyt": _entry(kk="Бақыт"),
    "erkin": _entry(ky="Эркин"),
    "ermek": _entry(ky="Эрмек", kk="Ермек"),
    "kenesh": _entry(ky="Кеңеш"),
    "tengiz": _entry(ky="Теңиз", kk="Теңіз"),
    # Kazakh
    "kassym": _entry(kk="Қасым"),
    "kasym": _entry(kk="Қасым", ky="Касым"),
    "qasym": _entry(kk="Қасым"),
    "nursultan": _entry(kk="Нұрсұлтан", ky="Нурсултан"),
    "nazarbayev": _entry(kk="Назарбаев"),
    "tokayev": _entry(kk="Тоқаев"),
    "kairat": _entry(kk="Қайрат", ky="Кайрат"),
    "qairat": _entry(kk="Қайрат"),
    "askar": _entry(kk="Асқар", ky="Аскар"),
    "serik": _entry(kk="Серік"),
    "berik": _entry(kk="Берік"),
    "nurlan": _entry(kk="Нұрлан", ky="Нурлан"),
    "galym": _entry(kk="Ғалым"),
    "ghalym": _entry(kk="Ғалым"),
    "gani": _entry(kk="Ғани"),
    "ainur": _entry(kk="Айнұр"),
    "dauren": _entry(kk="Дәурен"),
    "zhanibek": _entry(kk="Жәнібек"),
    "mukhtar": _entry(kk="Мұхтар", uz="Мухтор"),
    "saule": _entry(kk="Сәуле"),
    "aigerim": _entry(kk="Әйгерім", ky="Айгерим"),
    "asem": _entry(kk="Әсем"),
    "bauyrzhan": _entry(kk="Бауыржан"),
    "baurzhan": _entry(kk="Бауыржан"),
    "kuanysh": _entry(kk="Қуаныш"),
    "kanat": _entry(kk="Қанат", ky="Канат"),
    "beibit": _entry(kk="Бейбіт"),
    "nurzhan": _entry(kk="Нұржан"),
    "yerzhan": _entry(kk="Ержан"),
    "erzhan": _entry(kk="Ержан"),
    "yerlan": _entry(kk="Ерлан"),
    "erlan": _entry(kk="Ерлан", ky="Эрлан"),
    "kenzhe": _entry(kk="Кенже"),
    "abdi": _entry(kk="Әбді"),
    "akhmet": _entry(kk="Ахмет"),
    "kuat": _entry(kk="Қуат"),
    "talgat": _entry(kk="Талғат"),
    "daniyar": _entry(kk="Данияр", ky="Данияр"),
    "aizhan": _entry(kk="Айжан"),
    "gulzhan": _entry(kk="Гүлжан"),
    "kazybek": _entry(kk="Қазыбек"),
    "kairbek": _entry(kk="Қайырбек"),
    # Uzbek
    "otkir": _entry(uz="Ўткир"),
    "utkir": _entry(uz="Ўткир"),
    "gulom": _entry(uz="Ғулом"),
    "gulyam": _entry(uz="Ғулом"),
    "mirziyoyev": _entry(uz="Мирзиёев"),
    "gulnara": _entry(uz="Гулнора", kk="Гүлнар"),
    "jamshid": _entry(uz="Жамшид"),
    "bakhodir": _entry(uz="Баҳодир"),
    "bahodir": _entry(uz="Баҳодир"),
    "khamid": _entry(uz="Ҳамид"),
    "hamid": _entry(uz="Ҳамид"),
    "khusan": _entry(uz="Ҳусан"),
    "rakhim": _entry(uz="Раҳим"),
    "rahim": _entry(uz="Раҳим"),
    "rakhmon": _entry(uz="Раҳмон"),
    "rakhmat": _entry(uz="Раҳмат"),
    "mukhammad": _entry(uz="Муҳаммад"),
    "muhammad": _entry(uz="Муҳаммад"),
    "makhmud": _entry(uz="Маҳмуд"),
    "akhmad": _entry(uz="Аҳмад"),
    "shukhrat": _entry(uz="Шуҳрат"),
    "sanjar": _entry(uz="Санжар"),
    "dilshod": _entry(uz="Дилшод"),
    "ulugbek": _entry(uz="Улуғбек"),
    "kodir": _entry(uz="Қодир"),
    "qodir": _entry(uz="Қодир"),
    "yuldash": _entry(uz="Йўлдош"),
    "khodja": _entry(uz="Хўжа"),
    "khodzha": _entry(uz="Хўжа"),
    "khojaev": _entry(uz="Хўжаев"),
    "tura": _entry(uz="Тўра"),
    "najmiddin": _entry(uz="Нажмиддин"),
    "kamolitdin": _entry(uz="Камолиддин"),
    "olimzhon": _entry(uz="Олимжон"),
    "otabek": _entry(uz="Отабек"),
    "sherzod": _entry(uz="Шерзод"),
    "bekzod": _entry(uz="Бекзод"),
    "farrukh": _entry(uz="Фаррух"),
    "dilnoza": _entry(uz="Дилноза"),
    "nilufar": _entry(uz="Нилуфар"),
    "mekhribon": _entry(uz="Меҳрибон"),
    "shavkat": _entry(uz="Шавкат"),
    "alisher": _entry(uz="Алишер"),
    "gafur": _entry(uz="Ғафур"),
    "ergash": _entry(uz="Эргаш"),
    "kholmatov": _entry(uz="Холматов"),
}

# Stems above that are common across the Muslim world (Arabic/Persian names) or that begin
# unrelated words (Bolot-ov, Saule-nko, Tura-bi): they give the Cyrillic spelling but do not by
# themselves make a name Central Asian.
PAN_ISLAMIC_STEMS = frozenset(
    _words(
        "muhammad mukhammad hamid khamid rahim rakhim akhmad makhmud mukhtar khusan rakhmat "
        "rakhmon kodir qodir gafur akhmet abdi gani farrukh gulnara kasym jamshid tura asem "
        "bolot saule"
    )
)
# Endings that mark a Turkic (Central Asian) personal name.
TURKIC_ENDINGS = tuple(
    _words("bek bai bay boy jon zhon dzhon khon kul gul zhan jan bol tay nazar mirzo murod ullo")
)

# Patronymic particles written as separate words.
PATRONYMIC_PARTICLES: dict[str, dict[str, str]] = {
    "uulu": {"*": "уулу"},
    "kyzy": {"*": "кызы", "kk": "қызы"},
    "uly": {"*": "улы", "kk": "ұлы"},
    "o'g'li": {"*": "оғли", "uz": "ўғли"},
    "ogli": {"*": "огли", "uz": "ўғли"},
    "ugli": {"*": "угли", "uz": "ўғли"},
    "qizi": {"*": "кизи", "uz": "қизи"},
}

# Russian first names (Cyrillic) with both patronymic forms made from them.
RU_MALE_NAMES: list[tuple[str, str, str]] = [
    ("Александр", "Александрович", "Александровна"), ("Алексей", "Алексеевич", "Алексеевна"),
    ("Анатолий", "Анатольевич", "Анатольевна"), ("Андрей", "Андреевич", "Андреевна"),
    ("Антон", "Антонович", "Антоновна"), ("Аркадий", "Аркадьевич", "Аркадьевна"),
    ("Артём", "Артёмович", "Артёмовна"), ("Борис", "Борисович", "Борисовна"),
    ("Вадим", "Вадимович", "Вадимовна"), ("Валентин", "Валентинович", "Валентиновна"),
    ("Валерий", "Валерьевич", "Валерьевна"), ("Василий", "Васильевич", "Васильевна"),
    ("Виктор", "Викторович", "Викторовна"), ("Виталий", "Витальевич", "Витальевна"),
    ("Владимир", "Владимирович", "Владимировна"), ("Владислав", "Владиславович", "Владиславовна"),
    ("Вячеслав", "Вячеславович", "Вячеславовна"), ("Геннадий", "Геннадьевич", "Геннадьевна"),
    ("Георгий", "Георгиевич", "Георгиевна"), ("Глеб", "Глебович", "Глебовна"),
    ("Григорий", "Григорьевич", "Григорьевна"), ("Денис", "Денисович", "Денисовна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"), ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Егор", "Егорович", "Егоровна"), ("Иван", "Иванович", "Ивановна"),
    ("Игорь", "Игоревич", "Игоревна"), ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"), ("Константин", "Константинович", "Константиновна"),
    ("Леонид", "Леонидович", "Леонидовна"), ("Максим", "Максимович", "Максимовна"),
    ("Михаил", "Михайлович", "Михайловна"), ("Никита", "Никитич", "Никитична"),
    ("Николай", "Николаевич", "Николаевна"), ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"), ("Пётр", "Петрович", "Петровна"),
    ("Роман", "Романович", "Романовна"), ("Руслан", "Русланович", "Руслановна"),
    ("Семён", "Семёнович", "Семёновна"), ("Сергей", "Сергеевич", "Сергеевна"),
    ("Станислав", "Станиславович", "Станиславовна"), ("Степан", "Степанович", "Степановна"),
    ("Тимофей", "Тимофеевич", "Тимофеевна"), ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Юрий", "Юрьевич", "Юрьевна"), ("Ярослав", "Ярославович", "Ярославовна"),
    ("Эдуард", "Эдуардович", "Эдуардовна"), ("Матвей", "Матвеевич", "Матвеевна"),
    ("Филипп", "Филиппович", "Филипповна"), ("Захар", "Захарович", "Захаровна"),
    ("Тимур", "Тимурович", "Тимуровна"),
]  # fmt: skip

RU_FEMALE_NAMES: list[str] = _words(
    "Александра Алина Алла Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья "
    "Евгения Екатерина Елена Елизавета Жанна Зоя Инна Ирина Карина Кристина Ксения Лариса "
    "Лидия Любовь Людмила Маргарита Марина Мария Надежда Наталья Нина Оксана Ольга Полина "
    "Светлана Софья Тамара Татьяна Юлия Яна"
)

# Male surname forms; the female form is derived (-ов/-ев/-ёв/-ин/-ын +а, -ский -> -ская).
RU_SURNAMES: list[str] = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов "
    "Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов "
    "Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков "
    "Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков "
    "Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов "
    "Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин "
    "Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников "
    "Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов "
    "Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов "
    "Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов "
    "Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов "
    "Воронов Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков "
    "Сафонов Плотников Хохлов Жданов Шубин Щукин Шевченко Бондаренко Ткаченко Коваленко "
    "Кравченко Ковальский Островский Вишневский Зеленский Покровский Садовский"
)

# Central Asian names as lists romanise them (Russian-based), male / female / surnames.
CA_MALE_NAMES: list[str] = _words(
    "Azamat Almazbek Askar Aibek Bakyt Bolot Daniyar Erlan Kairat Kanat Marat Nurlan Ruslan "
    "Serik Talgat Timur Ulan Zhanibek Yerzhan Bauyrzhan Berik Dauren Kuanysh Nursultan Rustam "
    "Shavkat Jamshid Dilshod Sanjar Bekzod Otabek Ulugbek Alisher Bakhodir Farrukh Sherzod "
    "Kamchybek Chyngyz Tilek Adilet Nurbek Mirlan Kubanychbek Asylbek Tursunbek Omurbek "
    "Ermek Nurzhan Kuat Sadyr Tengiz Erkin"
)
CA_FEMALE_NAMES: list[str] = _words(
    "Aigerim Ainur Asel Dinara Gulnara Saule Aliya Madina Zarina Nilufar Dilnoza Gulzhan "
    "Aizhan Cholpon Nazgul Jyldyz Asem Mekhribon Kamila Aida"
)
CA_SURNAMES: list[str] = _words(
    "Abdrakhmanov Akhmetov Alimov Asanov Baimukhamedov Bekov Dzhumabaev Ermekov Ibraimov "
    "Imanaliev Isakov Kadyrov Karimov Kasymov Mamatov Mukhamedov Nazarov Omurbekov Osmonov "
    "Rakhimov Sadykov Saparov Sultanov Tashiev Tokhtarov Tursunov Usenov Yusupov Zhakypov "
    "Zhumabekov Abdullaev Azimov Ergashev Khodjaev Mirzaev Nurmatov Rashidov Sharipov Umarov "
    "Yuldashev Kenzhebekov Mukanov Seitkaliev Temirbekov Sydykov Beishenaliev Toktogulov "
    "Aliev Kurbanov Khalilov"
)

# Company-name words: (Latin, Cyrillic) pairs as Central Asian / Russian firms use them.
COMPANY_WORDS: list[tuple[str, str]] = [
    ("Ak-Jol", "Ак-Жол"), ("Altyn", "Алтын"), ("Asia", "Азия"), ("Avto", "Авто"),
    ("Bereke", "Береке"), ("Biznes", "Бизнес"), ("Capital", "Капитал"), ("Center", "Центр"),
    ("Consult", "Консалт"), ("Delta", "Дельта"), ("Development", "Девелопмент"),
    ("Eurasia", "Евразия"), ("Export", "Экспорт"), ("Global", "Глобал"), ("Group", "Груп"),
    ("Holding", "Холдинг"), ("Import", "Импорт"), ("Industrial", "Индастриал"),
    ("Invest", "Инвест"), ("Logistic", "Логистик"), ("Market", "Маркет"), ("Nur", "Нур"),
    ("Oil", "Ойл"), ("Partner", "Партнер"), ("Plus", "Плюс"), ("Profi", "Профи"),
    ("Resurs", "Ресурс"), ("Service", "Сервис"), ("Stroy", "Строй"), ("Systems", "Системс"),
    ("Tekhno", "Техно"), ("Terminal", "Терминал"), ("Trade", "Трейд"), ("Trans", "Транс"),
    ("Trading", "Трейдинг"), ("Tulpar", "Тулпар"), ("Union", "Юнион"), ("Energy", "Энерджи"),
    ("Engineering", "Инжиниринг"), ("Agro", "Агро"), ("Med", "Мед"), ("Pharm", "Фарм"),
    ("Metall", "Металл"), ("Tau", "Тау"), ("Ordo", "Ордо"), ("Sapar", "Сапар"),
    ("Bolashak", "Болашак"), ("Yangi", "Янги"), ("Oltin", "Олтин"), ("Baraka", "Барака"),
    ("Samal", "Самал"), ("Alatoo", "Алатоо"), ("Issyk-Kul", "Иссык-Куль"), ("Naryn", "Нарын"),
    ("Kelechek", "Келечек"), ("Ysyk", "Ысык"), ("Tengri", "Тенгри"), ("Sunkar", "Сункар"),
    ("Kazyna", "Казына"), ("Zhol", "Жол"), ("Keremet", "Керемет"), ("Nomad", "Номад"),
    ("Vektor", "Вектор"), ("Sfera", "Сфера"), ("Standart", "Стандарт"), ("Kvant", "Квант"),
    ("Optima", "Оптима"), ("Region", "Регион"), ("Sibir", "Сибирь"), ("Volga", "Волга"),
    ("Ural", "Урал"), ("Baltika", "Балтика"), ("Neva", "Нева"), ("Severo", "Северо"),
    ("Yug", "Юг"), ("Zapad", "Запад"), ("Vostok", "Восток"), ("Komplekt", "Комплект"),
    ("Snab", "Снаб"), ("Torg", "Торг"), ("Prom", "Пром"), ("Mash", "Маш"), ("Elektro", "Электро"),
    ("Tekh", "Тех"), ("Soft", "Софт"), ("Lab", "Лаб"), ("Line", "Лайн"), ("Star", "Стар"),
]  # fmt: skip

# Legal forms, grouped by equivalence. Latin forms first, then Cyrillic.
LEGAL_FORMS_LATIN: dict[str, list[str]] = {
    "llc": [
        "LLC", "OOO", "Limited Liability Company", "Obshchestvo s Ogranichennoy Otvetstvennostyu",
        "OsOO", "MChJ",
    ],
    "llp": [
        "TOO", "LLP", "Limited Liability Partnership", "ZhShS",
        "Tovarishchestvo s Ogranichennoy Otvetstvennostyu",
    ],
    "jsc": ["JSC", "AO", "Joint Stock Company", "Aktsionernoye Obshchestvo", "AJ"],
    "pjsc": ["PJSC", "PAO", "Public Joint Stock Company", "Publichnoye Aktsionernoye Obshchestvo"],
    "ojsc": ["OJSC", "OAO", "Open Joint Stock Company", "Otkrytoye Aktsionernoye Obshchestvo"],
    "cjsc": ["CJSC", "ZAO", "Closed Joint Stock Company", "Zakrytoye Aktsionernoye Obshchestvo"],
}  # fmt: skip
LEGAL_FORMS_CYRILLIC: dict[str, list[str]] = {
    "llc": ["ООО", "Общество с ограниченной ответственностью", "ОсОО", "МЧЖ"],
    "llp": ["ТОО", "ЖШС", "Товарищество с ограниченной ответственностью"],
    "jsc": ["АО", "Акционерное общество", "АЖ"],
    "pjsc": ["ПАО", "Публичное акционерное общество"],
    "ojsc": ["ОАО", "Открытое акционерное общество"],
    "cjsc": ["ЗАО", "Закрытое акционерное общество"],
}
# Spellings that also occur in listed names but that we never emit.
LEGAL_FORM_EXTRA = [
    "L.L.C.", "Ltd", "Limited", "OsOO", "ZhShS", "Obshchestvo s Ogranichennoi Otvetstvennostyu",
    "Obshchestvo s Ogranichennoy Otvetstvennostiu", "Aktsionernoe Obshchestvo",
    "Publichnoe Aktsionernoe Obshchestvo", "Joint-Stock Company", "Открытое Акционерное Общество",
    "Co.", "Company", "Inc.", "Corp.",
]  # fmt: skip

QUOTE_STYLES: list[tuple[str, str]] = [("«", "»"), ("“", "”"), ('"', '"'), ("„", "“")]
