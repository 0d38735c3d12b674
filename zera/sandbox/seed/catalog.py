"""The raw material of a seeded company: a landscaping business's chart, suppliers, items, names.

Account types and sub-types are values of Intuit's AccountTypeEnum and AccountSubTypeEnum; the
rest is invented but shaped like a real small firm's books (amount ranges in whole dollars).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ACCOUNTS", "BUSINESS_WORDS", "CITIES", "CLASSES", "DEPARTMENTS", "FAMILY_NAMES",
    "GIVEN_NAMES", "ITEMS", "PAYMENT_METHODS", "STREETS", "TAX_CODES", "TAX_RATES", "TERMS",
    "TRADE_KINDS", "TRADE_NAMES", "VENDORS", "AccountSpec", "ItemSpec", "VendorSpec",
]  # fmt: skip


class AccountSpec(NamedTuple):
    key: str
    name: str
    type: str
    sub_type: str
    number: str


class VendorSpec(NamedTuple):
    name: str
    account: str  # AccountSpec.key the spend goes to
    low: int  # usual spend per document, dollars
    high: int
    channel: str  # "bill", "card" (Purchase by card or cash) or "check" (Purchase by check)


class ItemSpec(NamedTuple):
    name: str
    type: str  # Service or NonInventory
    income: str  # AccountSpec.key
    price: str  # UnitPrice as a decimal string
    cost: str | None  # PurchaseCost; None for services sold without purchase information
    expense: str | None  # AccountSpec.key for the purchase side
    qty_low: int
    qty_high: int


# Classification follows from the type (Intuit computes it the same way).
CLASSIFICATION = {
    "Bank": "Asset", "Accounts Receivable": "Asset", "Other Current Asset": "Asset",
    "Fixed Asset": "Asset", "Other Asset": "Asset", "Accounts Payable": "Liability",
    "Credit Card": "Liability", "Other Current Liability": "Liability",
    "Long Term Liability": "Liability", "Equity": "Equity", "Income": "Revenue",
    "Other Income": "Revenue", "Cost of Goods Sold": "Expense", "Expense": "Expense",
    "Other Expense": "Expense",
}  # fmt: skip

A = AccountSpec
ACCOUNTS: tuple[AccountSpec, ...] = (
    A("checking", "Business Checking", "Bank", "Checking", "1000"),
    A("savings", "Business Savings", "Bank", "Savings", "1010"),
    A("petty_cash", "Petty Cash", "Bank", "CashOnHand", "1020"),
    A("ar", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "1100"),
    A("undeposited", "Undeposited Funds", "Other Current Asset", "UndepositedFunds", "1200"),
    A("prepaid", "Prepaid Expenses", "Other Current Asset", "PrepaidExpenses", "1210"),
    A("inventory", "Inventory Asset", "Other Current Asset", "Inventory", "1220"),
    A("advances", "Employee Cash Advances", "Other Current Asset", "EmployeeCashAdvances", "1230"),
    A("uncat_asset", "Uncategorized Asset", "Other Current Asset", "OtherCurrentAssets", "1290"),
    A("vehicles", "Trucks and Trailers", "Fixed Asset", "Vehicles", "1500"),
    A("equipment", "Landscaping Equipment", "Fixed Asset", "MachineryAndEquipment", "1510"),
    A("furniture", "Office Furniture", "Fixed Asset", "FurnitureAndFixtures", "1520"),
    A("computers", "Computers", "Fixed Asset", "FixedAssetComputers", "1530"),
    A("accum_dep", "Accumulated Depreciation", "Fixed Asset", "AccumulatedDepreciation", "1590"),
    A("deposits_held", "Security Deposits", "Other Asset", "SecurityDeposits", "1800"),
    A("ap", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000"),
    A("visa", "Chase Ink Visa", "Credit Card", "CreditCard", "2100"),
    A("amex", "American Express Business", "Credit Card", "CreditCard", "2110"),
    A("sales_tax", "Sales Tax Payable", "Other Current Liability", "SalesTaxPayable", "2200"),
    A("payroll_liab", "Payroll Liabilities", "Other Current Liability", "PayrollTaxPayable",
      "2210"),
    A("accrued", "Accrued Liabilities", "Other Current Liability", "OtherCurrentLiabilities",
      "2220"),
    A("credit_line", "Line of Credit", "Other Current Liability", "LineOfCredit", "2230"),
    A("truck_loan", "Truck Loan", "Long Term Liability", "NotesPayable", "2700"),
    A("sba_loan", "SBA Loan", "Long Term Liability", "OtherLongTermLiabilities", "2710"),
    A("opening_equity", "Opening Balance Equity", "Equity", "OpeningBalanceEquity", "3000"),
    A("owner_investment", "Owner's Investment", "Equity", "OwnersEquity", "3100"),
    A("owner_draw", "Owner's Draw", "Equity", "PartnerDistributions", "3200"),
    A("retained", "Retained Earnings", "Equity", "RetainedEarnings", "3900"),
    A("inc_design", "Design Income", "Income", "ServiceFeeIncome", "4000"),
    A("inc_install", "Installation Income", "Income", "ServiceFeeIncome", "4010"),
    A("inc_maint", "Maintenance Income", "Income", "ServiceFeeIncome", "4020"),
    A("inc_materials", "Materials Sales", "Income", "SalesOfProductIncome", "4100"),
    A("inc_discounts", "Discounts Given", "Income", "DiscountsRefundsGiven", "4900"),
    A("cogs_materials", "Cost of Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs",
      "5000"),
    A("cogs_subs", "Subcontractors", "Cost of Goods Sold", "CostOfLaborCos", "5010"),
    A("cogs_rental", "Job Equipment Rental", "Cost of Goods Sold", "EquipmentRentalCos", "5020"),
    A("cogs_freight", "Freight and Delivery", "Cost of Goods Sold", "ShippingFreightDeliveryCos",
      "5030"),
    A("exp_advertising", "Advertising and Marketing", "Expense", "AdvertisingPromotional",
      "6000"),
    A("exp_bank", "Bank Charges and Fees", "Expense", "BankCharges", "6010"),
    A("exp_dues", "Dues and Subscriptions", "Expense", "DuesSubscriptions", "6020"),
    A("exp_fuel", "Fuel", "Expense", "GasAndFuel", "6030"),
    A("exp_insurance", "Insurance", "Expense", "Insurance", "6040"),
    A("exp_interest", "Interest Paid", "Expense", "InterestPaid", "6050"),
    A("exp_legal", "Legal and Professional Fees", "Expense", "LegalProfessionalFees", "6060"),
    A("exp_meals", "Meals", "Expense", "EntertainmentMeals", "6070"),
    A("exp_office", "Office Supplies and Software", "Expense",
      "OfficeGeneralAdministrativeExpenses", "6080"),
    A("exp_rent", "Rent", "Expense", "RentOrLeaseOfBuildings", "6090"),
    A("exp_repairs", "Repairs and Maintenance", "Expense", "RepairMaintenance", "6100"),
    A("exp_supplies", "Shop Supplies", "Expense", "SuppliesMaterials", "6110"),
    A("exp_phone", "Telephone and Internet", "Expense", "Communications", "6120"),
    A("exp_travel", "Travel", "Expense", "Travel", "6130"),
    A("exp_utilities", "Utilities", "Expense", "Utilities", "6140"),
    A("exp_vehicle", "Vehicle Repairs", "Expense", "VehicleRepairs", "6150"),
    A("exp_wages", "Wages", "Expense", "PayrollWageExpenses", "6200"),
    A("exp_payroll_tax", "Payroll Taxes", "Expense", "PayrollTaxExpenses", "6210"),
    A("exp_licenses", "Taxes and Licenses", "Expense", "TaxesPaid", "6220"),
    A("exp_uniforms", "Uniforms", "Expense", "OtherBusinessExpenses", "6230"),
    A("exp_rental", "Equipment Rental", "Expense", "EquipmentRental", "6240"),
    A("exp_misc", "Miscellaneous Expense", "Expense", "OtherMiscellaneousServiceCost", "6990"),
    A("inc_interest", "Interest Earned", "Other Income", "InterestEarned", "7000"),
    A("inc_other", "Other Income", "Other Income", "OtherMiscellaneousIncome", "7010"),
    A("depreciation", "Depreciation", "Other Expense", "Depreciation", "8000"),
    A("penalties", "Penalties and Settlements", "Other Expense", "PenaltiesSettlements", "8010"),
    A("other_expense", "Other Miscellaneous Expense", "Other Expense",
      "OtherMiscellaneousExpense", "8020"),
)  # fmt: skip

V = VendorSpec
VENDORS: tuple[VendorSpec, ...] = (
    V("Pacific Gas & Electric", "exp_utilities", 180, 720, "bill"),
    V("East Bay Municipal Utility", "exp_utilities", 90, 340, "bill"),
    V("Comcast Business", "exp_phone", 160, 230, "bill"),
    V("Verizon Wireless", "exp_phone", 210, 480, "bill"),
    V("Oakridge Properties LLC", "exp_rent", 4200, 4200, "check"),
    V("Hartford Business Insurance", "exp_insurance", 900, 1900, "bill"),
    V("State Compensation Insurance Fund", "exp_insurance", 600, 1400, "bill"),
    V("Chevron", "exp_fuel", 45, 190, "card"),
    V("Shell", "exp_fuel", 40, 170, "card"),
    V("Costco Gas", "exp_fuel", 60, 210, "card"),
    V("Home Depot Pro", "cogs_materials", 60, 900, "card"),
    V("Lowe's", "cogs_materials", 40, 500, "card"),
    V("SiteOne Landscape Supply", "cogs_materials", 300, 3800, "bill"),
    V("Ewing Irrigation", "cogs_materials", 200, 2400, "bill"),
    V("Central Valley Stone", "cogs_materials", 500, 4800, "bill"),
    V("Greenleaf Nursery", "cogs_materials", 250, 3200, "bill"),
    V("Pacific Topsoils", "cogs_materials", 300, 1800, "bill"),
    V("Martinez Concrete", "cogs_subs", 1200, 6800, "bill"),
    V("Bright Electric Co", "cogs_subs", 400, 2800, "bill"),
    V("Summit Tree Service", "cogs_subs", 500, 2600, "bill"),
    V("Valley Hauling", "cogs_freight", 180, 950, "bill"),
    V("Sunbelt Rentals", "cogs_rental", 200, 1800, "bill"),
    V("United Rentals", "exp_rental", 150, 1200, "bill"),
    V("Mike's Small Engine Repair", "exp_repairs", 60, 780, "check"),
    V("Firestone Complete Auto Care", "exp_vehicle", 90, 900, "card"),
    V("Jiffy Lube", "exp_vehicle", 60, 140, "card"),
    V("Staples", "exp_office", 15, 260, "card"),
    V("Amazon Business", "exp_office", 12, 300, "card"),
    V("Intuit QuickBooks", "exp_dues", 90, 90, "card"),
    V("Google Workspace", "exp_dues", 72, 72, "card"),
    V("Yelp", "exp_advertising", 300, 450, "card"),
    V("Google Ads", "exp_advertising", 100, 600, "card"),
    V("Valpak", "exp_advertising", 400, 700, "bill"),
    V("Starbucks", "exp_meals", 8, 45, "card"),
    V("Chipotle", "exp_meals", 14, 120, "card"),
    V("Baker & Associates CPA", "exp_legal", 450, 1800, "bill"),
    V("Hanson Law Group", "exp_legal", 600, 2400, "bill"),
    V("Chase Bank", "exp_bank", 15, 65, "card"),
    V("Cintas", "exp_uniforms", 110, 260, "bill"),
    V("California DMV", "exp_licenses", 120, 780, "check"),
    V("Southwest Airlines", "exp_travel", 140, 420, "card"),
    V("UPS", "cogs_freight", 18, 140, "card"),
    V("Grainger", "exp_supplies", 40, 400, "card"),
    V("Harbor Freight Tools", "exp_supplies", 20, 250, "card"),
)  # fmt: skip

It = ItemSpec
ITEMS: tuple[ItemSpec, ...] = (
    It("Landscape Design", "Service", "inc_design", "110.00", None, None, 2, 12),
    It("Design Consultation", "Service", "inc_design", "150.00", None, None, 1, 2),
    It("Installation Labor", "Service", "inc_install", "68.00", None, None, 4, 32),
    It("Hardscape Installation", "Service", "inc_install", "18.50", None, None, 40, 260),
    It("Irrigation Installation", "Service", "inc_install", "85.00", "40.00", "cogs_subs", 4, 20),
    It("Weekly Maintenance", "Service", "inc_maint", "185.00", None, None, 4, 5),
    It("Irrigation Repair", "Service", "inc_maint", "95.00", None, None, 1, 4),
    It("Tree Trimming", "Service", "inc_maint", "380.00", "220.00", "cogs_subs", 1, 3),
    It("Lawn Aeration", "Service", "inc_maint", "160.00", None, None, 1, 1),
    It("Seasonal Cleanup", "Service", "inc_maint", "475.00", None, None, 1, 1),
    It("Mulch (cu yd)", "NonInventory", "inc_materials", "48.00", "29.00", "cogs_materials", 2, 12),
    It("Sod (pallet)", "NonInventory", "inc_materials", "325.00", "210.00", "cogs_materials", 1, 4),
    It("Paver Stones (sq ft)", "NonInventory", "inc_materials", "9.25", "5.40", "cogs_materials",
      40, 300),
    It("Drip Irrigation Kit", "NonInventory", "inc_materials", "145.00", "86.00",
      "cogs_materials", 1, 3),
    It("Shrub (5 gal)", "NonInventory", "inc_materials", "38.00", "19.50", "cogs_materials", 3, 20),
    It("Tree (24 in box)", "NonInventory", "inc_materials", "465.00", "265.00", "cogs_materials",
      1, 2),
    It("Topsoil (cu yd)", "NonInventory", "inc_materials", "56.00", "33.00", "cogs_materials", 2,
       10),
    It("Low Voltage Light Fixture", "NonInventory", "inc_materials", "128.00", "71.00",
      "cogs_materials", 2, 10),
    It("Decomposed Granite (ton)", "NonInventory", "inc_materials", "96.00", "58.00",
      "cogs_materials", 1, 6),
    It("Boulder", "NonInventory", "inc_materials", "260.00", "150.00", "cogs_materials", 1, 3),
)  # fmt: skip

# (Name, RateValue percent); the codes below group them.
TAX_RATES: tuple[tuple[str, str], ...] = (
    ("California State", "7.25"),
    ("Alameda County", "1.00"),
    ("Alameda County District", "2.00"),
    ("Santa Clara County", "1.25"),
    ("Santa Clara County District", "1.00"),
)
TAX_CODES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Alameda County", (0, 1, 2)),  # indexes into TAX_RATES
    ("Santa Clara County", (0, 3, 4)),
)

# (Name, DueDays, DiscountPercent, DiscountDays)
TERMS: tuple[tuple[str, int, str | None, int | None], ...] = (
    ("Due on receipt", 0, None, None),
    ("Net 15", 15, None, None),
    ("Net 30", 30, None, None),
    ("Net 60", 60, None, None),
    ("1% 10 Net 30", 30, "1", 10),
)

PAYMENT_METHODS: tuple[tuple[str, str], ...] = (
    ("Cash", "NON_CREDIT_CARD"),
    ("Check", "NON_CREDIT_CARD"),
    ("ACH", "NON_CREDIT_CARD"),
    ("Visa", "CREDIT_CARD"),
    ("MasterCard", "CREDIT_CARD"),
    ("American Express", "CREDIT_CARD"),
    ("Discover", "CREDIT_CARD"),
)

CLASSES: tuple[str, ...] = ("Residential", "Commercial", "HOA")
DEPARTMENTS: tuple[str, ...] = ("Oakland Yard", "San Jose Yard")

# (City, CountrySubDivisionCode, PostalCode, tax code index)
CITIES: tuple[tuple[str, str, str, int], ...] = (
    ("Oakland", "CA", "94610", 0), ("Berkeley", "CA", "94704", 0),
    ("Alameda", "CA", "94501", 0), ("Fremont", "CA", "94538", 0),
    ("Hayward", "CA", "94541", 0), ("Pleasanton", "CA", "94566", 0),
    ("San Jose", "CA", "95125", 1), ("Palo Alto", "CA", "94301", 1),
    ("Sunnyvale", "CA", "94086", 1), ("Mountain View", "CA", "94040", 1),
    ("Los Gatos", "CA", "95030", 1), ("Cupertino", "CA", "95014", 1),
)  # fmt: skip

STREETS: tuple[str, ...] = (
    "Oak St", "Maple Ave", "Grand Ave", "Park Blvd", "Lakeshore Ave", "College Ave",
    "Piedmont Ave", "Alma St", "Hamilton Ave", "Castro St", "Lincoln Ave", "Mission Blvd",
    "Foothill Blvd", "El Camino Real", "Shattuck Ave", "Telegraph Ave", "Bascom Ave",
    "Meridian Ave", "Santa Clara St", "Broadway",
)  # fmt: skip

GIVEN_NAMES: tuple[str, ...] = (
    "Maria", "James", "Linda", "Robert", "Patricia", "Michael", "Jennifer", "David", "Susan",
    "Carlos", "Mei", "Ahmed", "Priya", "Kevin", "Olivia", "Daniel", "Grace", "Hiroshi", "Elena",
    "Samuel", "Fatima", "Thomas", "Rosa", "Andrew", "Nina", "Marcus", "Ana", "Victor", "Julia",
    "Omar", "Laura", "Peter", "Sofia", "Brian", "Leila", "Ethan",
)  # fmt: skip
FAMILY_NAMES: tuple[str, ...] = (
    "Garcia", "Nguyen", "Smith", "Johnson", "Chen", "Patel", "Williams", "Rodriguez", "Kim",
    "Brown", "Lopez", "Tanaka", "Davis", "Martinez", "Singh", "Wilson", "Anderson", "Hernandez",
    "Okafor", "Thompson", "Rossi", "Cohen", "Murphy", "Silva", "Novak", "Schmidt", "Kowalski",
    "Reyes", "Fischer", "Ivanov", "Haddad", "Park",
)  # fmt: skip
BUSINESS_WORDS: tuple[str, ...] = (
    "Properties", "Dental Group", "Apartments", "Medical Center", "Realty", "Winery",
    "Family Trust", "Veterinary Clinic", "Law Offices", "Holdings", "Bistro", "Academy",
)  # fmt: skip
TRADE_NAMES: tuple[str, ...] = (
    "Greenline", "Oak & Stone", "Bayside", "Evergreen", "Live Oak", "Redwood", "Sierra",
    "Golden Hills", "Willow Creek", "Terra Verde",
)  # fmt: skip
TRADE_KINDS: tuple[str, ...] = (
    "Landscaping", "Landscape Co", "Gardens", "Outdoor Living", "Landscape and Design",
)
