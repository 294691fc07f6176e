"""Realistic request payloads, as a shop would hand them to the client: plain dicts with the
providers' wire names, in the JSON form the published schemas describe (ISO dates, integers,
decimals as strings): what a shop reads from its own JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def billink_order(items: int) -> dict[str, Any]:
    """A private Billink order (the document's example, with `items` product lines)."""
    return {
        "TYPE": "P",
        "WORKFLOWNUMBER": 1,
        "ORDERNUMBER": "1234567",
        "DATE": "2026-11-23",
        "FIRSTNAME": "Test",
        "LASTNAME": "Test",
        "SEX": "O",
        "INITIALS": "T",
        "STREET": "Wilhelminakade",
        "HOUSENUMBER": "159",
        "HOUSEEXTENSION": "A",
        "POSTALCODE": "3072AP",
        "CITY": "Rotterdam",
        "COUNTRYCODE": "NL",
        "PHONENUMBER": "0104141473",
        "BIRTHDATE": "1985-01-01",
        "EMAIL": "test@example.nl",
        "IP": "172.2.168.1",
        "DELIVERYSTEET": "Wilhelminakade",
        "DELIVERYHOUSENUMBER": "159",
        "DELIVERYPOSTALCODE": "3072AP",
        "DELIVERYCITY": "Rotterdam",
        "DELIVERYCOUNTRYCODE": "NL",
        "ADITIONALTEXT": "Toegevoegde tekst 1 & <opmerking>",
        "CHECKUUID": "0b9e0c4e-5a53-4c7a-9b9e-6f2d0e1c7a11",
        "CURRENCY": "EUR",
        "ITEMS": [
            {
                "CODE": f"{i:05d}",
                "DESCRIPTION": f"Testproduct {i} – blauw",
                "ORDERQUANTITY": str(1 + i % 3),
                "PRICEINCL": f"{9 + i % 7}.95",
                "BTW": "21",
            }
            for i in range(items)
        ],
    }


def billmate_add_payment(articles: int) -> dict[str, Any]:
    """A Billmate invoice (factoring) payment with `articles` lines and consistent totals."""
    lines = [
        {
            "artnr": f"A{i:04d}",
            "title": f"Artikel {i} ö/ä",
            "quantity": "2",
            "aprice": 1250,
            "discount": "0",
            "withouttax": 2500,
            "taxrate": "25",
        }
        for i in range(articles)
    ]
    without = 2500 * articles + 1000 + 3000
    tax = without // 4
    return {
        "PaymentData": {
            "method": "1",
            "currency": "SEK",
            "language": "sv",
            "country": "SE",
            "autoactivate": False,
            "orderid": "P123456789",
            "logo": "Logo2.jpg",
        },
        "PaymentInfo": {
            "paymentdate": "2026-11-23",
            "yourreference": "Purchaser X",
            "ourreference": "Seller Y",
            "deliverymethod": "Post",
        },
        "Card": {
            "accepturl": "https://www.mystore.se/completedpayment",
            "cancelurl": "https://www.mystore.se/failedpayment",
            "callbackurl": "https://www.mystore.se/callback.php",
        },
        "Customer": {
            "nr": "12",
            "pno": "550101-1018",
            "Billing": {
                "firstname": "Testperson",
                "lastname": "Approved",
                "street": "Teststreet",
                "zip": "12345",
                "city": "Testcity",
                "country": "SE",
                "phone": "0712-345678",
                "email": "test@developer.billmate.se",
            },
        },
        "Articles": lines,
        "Cart": {
            "Handling": {"withouttax": 1000, "taxrate": "25"},
            "Shipping": {"withouttax": 3000, "taxrate": "25"},
            "Total": {"withouttax": without, "tax": tax, "rounding": 0, "withtax": without + tax},
        },
    }


def inkassogram_invoice(rows: int) -> dict[str, Any]:
    """An Inkassogram createInvoice request with `rows` invoice rows."""
    return {
        "testInvoice": True,
        "service": "1",
        "printSetup": "1",
        "ssn": "5567854616",
        "invoiceRef": "Kundnummer 42",
        "dueDate": 1796428800,
        "email": "techsupport@inkassogram.se",
        "orderNo": "1001",
        "ourRef": "Säljare Å",
        "invoiceRows": [
            {
                "articleNo": str(4144 + i),
                "text": f"Biljett {i}",
                "desc": "GOT - STO 2001-01-01",
                "vat": 12,
                "quantity": "1",
                "price": 3400,
                "bookkeepingAccount": 3010,
            }
            for i in range(rows)
        ],
    }


def billit_order(lines: int) -> dict[str, Any]:
    """A Billit sales invoice (the documentation's full example) with `lines` order lines."""
    address = {"Name": "Billit", "Street": "Oktrooiplein", "StreetNumber": "1", "City": "Ghent", "Box": "301", "CountryCode": "BE"}
    return {
        "OrderType": "Invoice",
        "OrderDirection": "Income",
        "OrderNumber": "QS-001",
        "OrderDate": "2026-11-23",
        "ExpiryDate": "2026-12-23",
        "Customer": {
            "Name": "Billit",
            "VATNumber": "BE0563846944",
            "PartyType": "Customer",
            "Identifiers": [{"IdentifierType": "GLN", "Identifier": "5430003732007"}],
            "Addresses": [
                {"AddressType": "InvoiceAddress", **address},
                {"AddressType": "DeliveryAddress", **address},
            ],
        },
        "OrderLines": [
            {"Quantity": 1 + i % 3, "UnitPriceExcl": str(Decimal("3.75") + i), "Description": f"Box of cookies {i}", "VATPercentage": 6}
            for i in range(lines)
        ],
    }
