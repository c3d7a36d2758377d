"""The places of the demo: the old District 1, whose ten wards became four on 1 July 2025, and
one ward elsewhere in the city.

The ten old wards are kept (inactive) for the fairs held before the change. Each demo site and
business lies in a known street, so the demo says which of today's wards it is in, as the
person moving an install would (`python -m manage units decide …`) for a split ward.
"""

OLD_DISTRICT = "Quận 1"
OLD_WARDS = [
    # slug, name, the ward of today where the demo's places in it lie
    ("ben-nghe", "Bến Nghé", "sai-gon"),
    ("ben-thanh", "Bến Thành", "ben-thanh"),
    ("cau-kho", "Cầu Kho", "cau-ong-lanh"),
    ("cau-ong-lanh", "Cầu Ông Lãnh", "cau-ong-lanh"),
    ("co-giang", "Cô Giang", "cau-ong-lanh"),
    ("da-kao", "Đa Kao", "tan-dinh"),
    ("nguyen-cu-trinh", "Nguyễn Cư Trinh", "cau-ong-lanh"),
    ("nguyen-thai-binh", "Nguyễn Thái Bình", "ben-thanh"),
    ("pham-ngu-lao", "Phạm Ngũ Lão", "ben-thanh"),
    ("tan-dinh", "Tân Định", "tan-dinh"),
]
TODAYS_WARD = {old: new for old, _, new in OLD_WARDS}
# Today's wards whose committees hold demo fairs: the four of the old District 1 and one more.
BODY_WARDS = ["sai-gon", "tan-dinh", "ben-thanh", "cau-ong-lanh", "binh-thanh"]

SITES = [
    # slug, name, address, ward slug, setting, lat, lon, capacity, description
    (
        "clb-nguyen-du",
        "Câu lạc bộ Văn hóa Thể dục thể thao Nguyễn Du",
        "116 Nguyễn Du, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh",
        "ben-thanh",
        "residential",
        10.77421,
        106.69525,
        40,
        "Địa điểm chính của Phiên chợ hàng Việt quận 1, trong sân câu lạc bộ.",
    ),
    (
        "trung-tam-van-hoa-quan-1",
        "Trung tâm Văn hóa Quận 1",
        "Trung tâm Văn hóa Quận 1, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        "ben-nghe",
        "residential",
        10.77892,
        106.69810,
        30,
        "Phiên chợ trong khuôn viên Trung tâm Văn hóa quận.",
    ),
    (
        "truong-thpt-trung-vuong",
        "Trường THPT Trưng Vương",
        "3A Nguyễn Bỉnh Khiêm, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        "ben-nghe",
        "school",
        10.78705,
        106.70405,
        16,
        "Phiên chợ hàng Việt trong trường học: văn phòng phẩm, đồ dùng học tập, thực phẩm.",
    ),
    (
        "cho-ben-thanh",
        "Chợ Bến Thành",
        "Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh",
        "ben-thanh",
        "market",
        10.77250,
        106.69800,
        20,
        "Khu gian hàng Việt tại cửa Nam chợ Bến Thành.",
    ),
    (
        "kdc-tran-dinh-xu",
        "Khu dân cư đường Trần Đình Xu",
        "Đường Trần Đình Xu, Phường Cầu Kho, Quận 1, TP. Hồ Chí Minh",
        "cau-kho",
        "residential",
        10.75860,
        106.68930,
        14,
        "Phiên chợ cuối tuần cho người lao động khu Cầu Kho.",
    ),
    (
        "cho-cau-muoi",
        "Chợ Cầu Muối",
        "Nguyễn Thái Học, Phường Cầu Ông Lãnh, Quận 1, TP. Hồ Chí Minh",
        "cau-ong-lanh",
        "market",
        10.76510,
        106.69640,
        18,
        "Gian hàng Việt tại chợ đầu mối rau quả Cầu Muối.",
    ),
    (
        "truong-thpt-luong-the-vinh",
        "Trường THPT Lương Thế Vinh",
        "131 Cô Bắc, Phường Cô Giang, Quận 1, TP. Hồ Chí Minh",
        "co-giang",
        "school",
        10.76270,
        106.69390,
        12,
        "Phiên chợ hàng Việt dành cho học sinh và phụ huynh.",
    ),
    (
        "cong-vien-le-van-tam",
        "Công viên Lê Văn Tám",
        "Hai Bà Trưng, Phường Đa Kao, Quận 1, TP. Hồ Chí Minh",
        "da-kao",
        "residential",
        10.78690,
        106.69460,
        24,
        "Phiên chợ trong công viên, gần khu dân cư Đa Kao.",
    ),
    (
        "kdc-nguyen-cu-trinh",
        "Khu dân cư đường Nguyễn Cư Trinh",
        "Đường Nguyễn Cư Trinh, Phường Nguyễn Cư Trinh, Quận 1, TP. Hồ Chí Minh",
        "nguyen-cu-trinh",
        "residential",
        10.76420,
        106.68680,
        12,
        "Phiên chợ tại khu dân cư có nhiều người lao động thu nhập thấp.",
    ),
    (
        "cho-dan-sinh",
        "Chợ Dân Sinh",
        "104 Yersin, Phường Nguyễn Thái Bình, Quận 1, TP. Hồ Chí Minh",
        "nguyen-thai-binh",
        "market",
        10.76880,
        106.69870,
        16,
        "Gian hàng Việt tại chợ Dân Sinh.",
    ),
    (
        "cong-vien-23-thang-9",
        "Công viên 23 Tháng 9",
        "Phạm Ngũ Lão, Phường Phạm Ngũ Lão, Quận 1, TP. Hồ Chí Minh",
        "pham-ngu-lao",
        "residential",
        10.76930,
        106.69290,
        30,
        "Phiên chợ hàng Việt trong công viên, dọc đường Phạm Ngũ Lão.",
    ),
    (
        "cho-tan-dinh",
        "Chợ Tân Định",
        "48 Hai Bà Trưng, Phường Tân Định, Quận 1, TP. Hồ Chí Minh",
        "tan-dinh",
        "market",
        10.78950,
        106.69050,
        18,
        "Gian hàng Việt quanh chợ Tân Định.",
    ),
]

# Sites outside the old District 1, in today's units (slug, name, address, ward of today, …).
CITY_SITES = [
    (
        "cho-ba-chieu",
        "Chợ Bà Chiểu",
        "Bạch Đằng, Phường Bình Thạnh, TP. Hồ Chí Minh",
        "binh-thanh",
        "market",
        10.80160,
        106.69900,
        16,
        "Gian hàng Việt quanh chợ Bà Chiểu.",
    ),
]

CATEGORIES = [
    # slug, Vietnamese, English, food
    ("nong-san", "Nông sản, thực phẩm tươi", "Food and farm produce", True),
    ("thuc-pham-che-bien", "Thực phẩm chế biến", "Processed food", True),
    ("do-uong", "Đồ uống", "Beverages", True),
    ("may-mac", "May mặc, dệt may", "Garments and textiles", False),
    ("giay-da", "Giày dép, đồ da", "Footwear and leather", False),
    ("gia-dung", "Đồ gia dụng", "Household goods", False),
    ("my-pham", "Mỹ phẩm, chăm sóc cá nhân", "Cosmetics and personal care", False),
    ("thu-cong", "Thủ công mỹ nghệ", "Handicrafts", False),
    ("van-phong-pham", "Văn phòng phẩm, sách", "Stationery and books", False),
    ("do-choi", "Đồ chơi trẻ em", "Children's toys", False),
    ("dien-gia-dung", "Điện gia dụng", "Electrical appliances", False),
]
