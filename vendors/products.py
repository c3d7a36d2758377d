"""Products a business sells, each declared as made in Vietnam."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.database import write_txn
from core.errors import AppError
from core.text import clean
from core.timezone import today_local
from vendors.documents import has_valid_food_certificate
from vendors.schemas import ProductIn, ProductOut, ProductPatch
from vendors.tables import Category, Product

FIRST_HVNCL_YEAR = 1997  # the title has been awarded since 1997


def _today() -> dt.date:
    return today_local()


def product_out(row: dict[str, Any], language: str = "vi") -> ProductOut:
    expires = row["hvncl_expires"]
    return ProductOut(
        id=row["id"],
        name=row["name"],
        category_slug=row["category.slug"],
        category_name=row["category.name_en"] if language == "en" else row["category.name_vi"],
        is_food=row["category.is_food"],
        brand=row["brand"],
        producer=row["producer"],
        made_in=row["made_in"],
        made_in_vietnam=row["made_in_vietnam"],
        hvncl_year=row["hvncl_year"],
        hvncl_expires=expires,
        hvncl_valid=bool(row["hvncl_year"]) and (expires is None or expires >= _today()),
    )


PRODUCT_COLUMNS = (
    Product.all_columns(),
    Product.category.slug,
    Product.category.name_vi,
    Product.category.name_en,
    Product.category.is_food,
)


async def list_products(business_id: int, language: str = "vi") -> list[ProductOut]:
    rows = (
        await Product.select(*PRODUCT_COLUMNS)
        .where(Product.business == business_id)
        .order_by(Product.id)
        .run()
    )
    return [product_out(r, language) for r in rows]


async def get_product(business_id: int, product_id: int) -> ProductOut:
    row = (
        await Product.select(*PRODUCT_COLUMNS)
        .where((Product.id == product_id) & (Product.business == business_id))
        .first()
        .run()
    )
    if not row:
        # The same answer whether it does not exist or belongs to another business.
        raise AppError(404, "Không tìm thấy sản phẩm.", "No such product.")
    return product_out(row)


async def _checked(business_id: int, values: dict[str, Any]) -> dict[str, Any]:
    if not values["made_in_vietnam"]:
        raise AppError(
            422,
            "Phiên chợ chỉ nhận hàng sản xuất tại Việt Nam: hãy xác nhận nơi sản xuất.",
            "The fairs accept only goods made in Vietnam: confirm where it is made.",
            extra={"field": "made_in_vietnam"},
        )
    category = await Category.select().where(Category.slug == values["category_slug"]).first().run()
    if not category:
        raise AppError(
            422,
            "Không có ngành hàng này.",
            "No such goods category.",
            extra={"field": "category_slug"},
        )
    if category["is_food"] and not await has_valid_food_certificate(business_id, _today()):
        raise AppError(
            422,
            "Sản phẩm thực phẩm cần giấy chứng nhận an toàn thực phẩm còn hạn. "
            "Hãy tải giấy chứng nhận lên trước.",
            "Food products need a valid food-safety certificate. Upload the certificate first.",
            extra={"field": "category_slug"},
        )
    year, expires = values["hvncl_year"], values["hvncl_expires"]
    if year is not None and not FIRST_HVNCL_YEAR <= year <= _today().year:
        raise AppError(
            422,
            f"Năm đạt danh hiệu HVNCL phải từ {FIRST_HVNCL_YEAR} đến nay.",
            f"The HVNCL award year must be between {FIRST_HVNCL_YEAR} and this year.",
            extra={"field": "hvncl_year"},
        )
    if expires is not None and (year is None or expires.year < year):
        raise AppError(
            422,
            "Ngày hết hạn danh hiệu HVNCL cần năm đạt danh hiệu và không được trước năm đó.",
            "The HVNCL expiry needs the award year and cannot be before it.",
            extra={"field": "hvncl_expires"},
        )
    return {
        "name": clean(values["name"]),
        "category": category["id"],
        "brand": clean(values["brand"]),
        "producer": clean(values["producer"]),
        "made_in": clean(values["made_in"]),
        "made_in_vietnam": True,
        "hvncl_year": year,
        "hvncl_expires": expires,
    }


async def create_product(business_id: int, data: ProductIn) -> ProductOut:
    values = await _checked(
        business_id,
        {
            f: getattr(data, f)
            for f in (
                "name",
                "category_slug",
                "brand",
                "producer",
                "made_in",
                "made_in_vietnam",
                "hvncl_year",
                "hvncl_expires",
            )
        },
    )
    async with write_txn(Product._meta.db):
        product = Product(business=business_id, **values)
        await product.save().run()
    return await get_product(business_id, product.id)


async def update_product(business_id: int, product_id: int, data: ProductPatch) -> ProductOut:
    current = await get_product(business_id, product_id)
    values = {
        "name": current.name,
        "category_slug": current.category_slug,
        "brand": current.brand,
        "producer": current.producer,
        "made_in": current.made_in,
        "made_in_vietnam": current.made_in_vietnam,
        "hvncl_year": current.hvncl_year,
        "hvncl_expires": current.hvncl_expires,
    }
    for field in values:
        value = getattr(data, field)
        if value is not None:
            values[field] = value
    checked = await _checked(business_id, values)
    async with write_txn(Product._meta.db):
        await (
            Product.update({getattr(Product, k): v for k, v in checked.items()})
            .where((Product.id == product_id) & (Product.business == business_id))
            .run()
        )
    return await get_product(business_id, product_id)


async def delete_product(business_id: int, product_id: int) -> None:
    await get_product(business_id, product_id)
    async with write_txn(Product._meta.db):
        await (
            Product.delete()
            .where((Product.id == product_id) & (Product.business == business_id))
            .run()
        )
