"""Intuit's field names per entity, as the QBO v3 schema (XSD) defines them.

The sandbox must answer with nothing but names Intuit's schema knows, and may refuse names it does
not know on create. This module holds those names as data: for each complex type, the base type it
extends and its own elements, each with the complex type it holds (so nested objects, line details
and references can be checked too). The table was derived once from the schema's facts (element
names, base types and element types); the schema files themselves are not part of the project.

JSON follows the XSD: element names become JSON keys, XML attributes (IntuitEntity's `domain`,
`status` and `sparse`, ReferenceType's `name` and `type`) become plain keys, and a type with simple
content (ReferenceType, MemoRef) carries its text as `value`. A field typed `*` is Intuit's
extension point (IntuitAnyType, the `...Ex` fields) and may hold anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "ENTITY_FIELDS",
    "ENTITY_TYPES",
    "SERVED_ENTITIES",
    "TYPE_FIELDS",
    "UnknownEntity",
    "field_type",
    "unknown_fields",
]

SERVED_ENTITIES: tuple[str, ...] = (
    "Purchase", "Deposit", "Bill", "BillPayment", "Invoice", "Payment", "JournalEntry",
    "CreditMemo", "VendorCredit", "Estimate", "PurchaseOrder", "SalesReceipt",
    "Account", "Vendor", "Customer", "Employee", "Item", "TaxCode", "TaxRate", "Term",
    "PaymentMethod", "Class", "Department", "CompanyInfo", "Preferences", "Attachable",
    "Transfer", "CreditCardPayment",
)  # fmt: skip

# Served entities whose schema type has another name: Intuit's REST resource CreditCardPayment
# is the XSD's CreditCardPaymentTxn (Finance.xsd), and "CreditCardPayment" is already the name of
# the card-charge type that Purchase, Payment and the sales forms hold.
ENTITY_TYPES: Mapping[str, str] = MappingProxyType({"CreditCardPayment": "CreditCardPaymentTxn"})

# type name -> (base type or None, "Field Field:ComplexType ...") in schema order.
# A bare name is a simple value (string, number, date, boolean, enum).
# fmt: off
_SCHEMA: dict[str, tuple[str | None, str]] = {
    "Purchase": ("Transaction", "AccountRef:ReferenceType PaymentMethodRef:ReferenceType "
                                "PaymentRefNum PaymentType CheckPayment:CheckPayment "
                                "CreditCardPayment:CreditCardPayment EntityRef:ReferenceType "
                                "Credit RemitToAddr:PhysicalAddress TotalAmt TxnId TxnNum Memo "
                                "PrintStatus GlobalTaxCalculation PurchaseEx:* LessCIS "
                                "IncludeInAnnualTPAR"),
    "Deposit": ("Transaction", "DepositToAccountRef:ReferenceType CashBack:CashBackInfo "
                               "GlobalTaxCalculation TotalAmt HomeTotalAmt DepositEx:*"),
    "Bill": ("PurchaseByVendor", "PayerRef:ReferenceType SalesTermRef:ReferenceType DueDate "
                                 "RemitToAddr:PhysicalAddress ShipAddr:PhysicalAddress "
                                 "VendorAddr:PhysicalAddress Balance HomeBalance BillEx:* LessCIS "
                                 "IncludeInAnnualTPAR"),
    "BillPayment": ("Transaction", "VendorRef:ReferenceType VendorAddr:PhysicalAddress "
                                   "APAccountRef:ReferenceType PayType "
                                   "CheckPayment:BillPaymentCheck "
                                   "CreditCardPayment:BillPaymentCreditCard TotalAmt "
                                   "BillPaymentEx:*"),
    "Invoice": ("SalesTransaction", "Deposit AllowIPNPayment AllowOnlinePayment "
                                    "AllowOnlineCreditCardPayment AllowOnlineACHPayment "
                                    "AllowOnlinePayPalPayment EInvoiceStatus "
                                    "ECloudStatusTimeStamp CfdiUse Exportation "
                                    "GlobalInfo:MXGlobalInfo invoiceStatus callToAction "
                                    "invoiceStatusLog:StatusInfo InvoiceEx:* LessCIS InvoiceLink "
                                    "PaymentDetailsMessage "
                                    "ConvenienceFeeDetail:ConvenienceFeeDetail "
                                    "EnabledSurchargeInfo:EnabledSurchargeInfo "
                                    "InvoiceLinkSecurityCode InvoiceLinkExpiryDate "
                                    "AutoPayEligible SchedulePayEligible ScheduledPaymentId "
                                    "GratuityEnabled FinancingProductType "
                                    "SubscriptionPaymentsSetting"),
    "Payment": ("Transaction", "CustomerRef:ReferenceType RemitToRef:ReferenceType "
                               "ARAccountRef:ReferenceType DepositToAccountRef:ReferenceType "
                               "PaymentMethodRef:ReferenceType PaymentRefNum PaymentType "
                               "CheckPayment:CheckPayment CreditCardPayment:CreditCardPayment "
                               "TotalAmt UnappliedAmt ProcessPayment PaymentExtendedType "
                               "PaymentEx:*"),
    "JournalEntry": ("Transaction", "Adjustment HomeCurrencyAdjustment EnteredInHomeCurrency "
                                    "GlobalTaxCalculation TotalAmt HomeTotalAmt JournalEntryEx:*"),
    "CreditMemo": ("SalesTransaction", "RemainingCredit InvoiceRef:ReferenceType CreditMemoEx:*"),
    "VendorCredit": ("PurchaseByVendor", "VendorAddr:PhysicalAddress VendorCreditEx:* Balance "
                                         "IncludeInAnnualTPAR"),
    "Estimate": ("SalesTransaction", "ExpirationDate AcceptedBy AcceptedDate EstimateEx:*"),
    "PurchaseOrder": ("PurchaseByVendor", "TaxCodeRef:ReferenceType ClassRef:ReferenceType "
                                          "ReimbursableInfoRef:ReferenceType "
                                          "SalesTermRef:ReferenceType DueDate ExpectedDate "
                                          "VendorAddr:PhysicalAddress ShipTo:ReferenceType "
                                          "DropShipToEntity:ReferenceType "
                                          "InventorySiteRef:ReferenceType "
                                          "ShipAddr:PhysicalAddress ShipMethodRef:ReferenceType "
                                          "FOB POEmail:EmailAddress TemplateRef:ReferenceType "
                                          "PrintStatus EmailStatus ManuallyClosed POStatus "
                                          "PurchaseOrderEx:*"),
    "SalesReceipt": ("SalesTransaction", "SalesReceiptEx:* LessCIS"),
    "Transfer": ("Transaction", "FromAccountRef:ReferenceType ToAccountRef:ReferenceType Amount "
                                "ClassRef:ReferenceType TransferEx:*"),
    "CreditCardPaymentTxn": ("Transaction", "CreditCardAccountRef:ReferenceType "
                                            "BankAccountRef:ReferenceType Amount "
                                            "VendorRef:ReferenceType CheckNum PrintStatus Memo "
                                            "CreditCardPaymentEx:*"),
    "Account": ("IntuitEntity", "Name SubAccount ParentRef:ReferenceType Description "
                                "FullyQualifiedName AccountAlias TxnLocationType Active "
                                "Classification AccountType AccountSubType "
                                "AccountPurposes:ReferenceType AcctNum AcctNumExtn BankNum "
                                "OpeningBalance OpeningBalanceDate CurrentBalance "
                                "CurrentBalanceWithSubAccounts CurrencyRef:ReferenceType "
                                "TaxAccount TaxCodeRef:ReferenceType OnlineBankingEnabled FIName "
                                "JournalCodeRef:ReferenceType AccountEx:*"),
    "Vendor": ("NameBase", "ContactName AltContactName Notes BillAddr:PhysicalAddress "
                           "ShipAddr:PhysicalAddress OtherAddr:PhysicalAddress TaxCountry "
                           "TaxIdentifier TaxIdEffectiveDate BusinessNumber "
                           "ParentRef:ReferenceType VendorTypeRef:ReferenceType "
                           "TermRef:ReferenceType PrefillAccountRef:ReferenceType Balance "
                           "BillRate OpenBalanceDate CreditLimit AcctNum Vendor1099 T4AEligible "
                           "T5018Eligible CurrencyRef:ReferenceType TDSEnabled TDSEntityTypeId "
                           "TDSSectionTypeId TDSOverrideThreshold TaxReportingBasis "
                           "APAccountRef:ReferenceType VendorEx:* GSTIN GSTRegistrationType "
                           "IsSubContractor SubcontractorType CISRate HasTPAR "
                           "VendorPaymentBankDetail:VendorBankAccountDetail Source CostRate "
                           "AgencyVerificationStatus AgencyVerificationStatusMsg "
                           "AgencyVerificationTSUTC CompanyRegistrationNumber"),
    "Customer": ("NameBase", "Taxable BillAddr:PhysicalAddress ShipAddr:PhysicalAddress "
                             "OtherAddr:PhysicalAddress ContactName AltContactName Notes Job "
                             "BillWithParent RootCustomerRef:ReferenceType "
                             "ParentRef:ReferenceType Level CustomerTypeRef:ReferenceType "
                             "SalesTermRef:ReferenceType SalesRepRef:ReferenceType "
                             "TaxGroupCodeRef:ReferenceType TaxRateRef:ReferenceType "
                             "PaymentMethodRef:ReferenceType CCDetail:CreditChargeInfo "
                             "PriceLevelRef:ReferenceType Balance OpenBalanceDate BalanceWithJobs "
                             "CreditLimit AcctNum CurrencyRef:ReferenceType OverDueBalance "
                             "TotalRevenue TotalExpense PreferredDeliveryMethod ResaleNum "
                             "JobInfo:JobInfo TDSEnabled CustomerEx:* SecondaryTaxIdentifier "
                             "ARAccountRef:ReferenceType PrimaryTaxIdentifier "
                             "TaxExemptionReasonId IsProject BusinessNumber GSTIN "
                             "GSTRegistrationType IsCISContractor ClientCompanyId ClientEntityId "
                             "Source TaxRegime"),
    "Employee": ("NameBase", "EmployeeType EmployeeNumber SSN PrimaryAddr:PhysicalAddress "
                             "OtherAddr:PhysicalAddress BillableTime BillRate BirthDate Gender "
                             "HiredDate ReleasedDate UseTimeEntry EmployeeEx:* CostRate Notes"),
    "Item": ("IntuitEntity", "Name Sku Description Active SubItem ParentRef:ReferenceType Level "
                             "FullyQualifiedName Taxable SalesTaxIncluded PercentBased UnitPrice "
                             "RatePercent Type PaymentMethodRef:ReferenceType "
                             "UOMSetRef:ReferenceType IncomeAccountRef:ReferenceType PurchaseDesc "
                             "PurchaseTaxIncluded PurchaseCost ExpenseAccountRef:ReferenceType "
                             "COGSAccountRef:ReferenceType AssetAccountRef:ReferenceType "
                             "PrefVendorRef:ReferenceType AvgCost TrackQtyOnHand QtyOnHand "
                             "QtyOnPurchaseOrder QtyOnSalesOrder ReorderPoint ManPartNum "
                             "DepositToAccountRef:ReferenceType SalesTaxCodeRef:ReferenceType "
                             "PurchaseTaxCodeRef:ReferenceType InvStartDate BuildPoint "
                             "PrintGroupedItems SpecialItem SpecialItemType "
                             "ItemGroupDetail:ItemGroupDetail "
                             "ItemAssemblyDetail:ItemAssemblyDetail AbatementRate "
                             "ReverseChargeRate ServiceType ItemCategoryType ItemEx:* "
                             "TaxClassificationRef:ReferenceType UQCDisplayText UQCId "
                             "ClassRef:ReferenceType Source DeferredRevenue "
                             "CustomExtensions:CustomExtensions"),
    "TaxCode": ("IntuitEntity", "Name Description Active Hidden Taxable TaxGroup "
                                "SalesTaxRateList:TaxRateList PurchaseTaxRateList:TaxRateList "
                                "AdjustmentTaxRateList:TaxRateList TaxCodeEx:* TaxCodeConfigType"),
    "TaxRate": ("IntuitEntity", "Name Description Active RateValue AgencyRef:ReferenceType "
                                "TaxReturnLineRef:ReferenceType EffectiveTaxRate:EffectiveTaxRate "
                                "SpecialTaxType DisplayType TaxRateEx:* "
                                "OriginalTaxRate:ReferenceType"),
    "Term": ("IntuitEntity", "Name Active Type DiscountPercent DueDays DiscountDays DayOfMonthDue "
                             "DueNextMonthDays DiscountDayOfMonth SalesTermEx:*"),
    "PaymentMethod": ("IntuitEntity", "Name Active Type PaymentMethodEx:*"),
    "Class": ("IntuitEntity", "Name SubClass ParentRef:ReferenceType FullyQualifiedName Active "
                              "ClassEx:*"),
    "Department": ("IntuitEntity", "Name SubDepartment ParentRef:ReferenceType FullyQualifiedName "
                                   "Active DepartmentEx:* Address:PhysicalAddress"),
    "CompanyInfo": ("IntuitEntity", "CompanyName LegalName CompanyAddr:PhysicalAddress "
                                    "CustomerCommunicationAddr:PhysicalAddress "
                                    "LegalAddr:PhysicalAddress CompanyEmailAddr:EmailAddress "
                                    "CustomerCommunicationEmailAddr:EmailAddress "
                                    "CompanyURL:WebSiteAddress PrimaryPhone:TelephoneNumber "
                                    "OtherContactInfo:ContactInfo CompanyFileName FlavorStratum "
                                    "SampleFile CompanyUserId CompanyUserAdminEmail "
                                    "CompanyStartDate EmployerId FiscalYearStartMonth "
                                    "TaxYearStartMonth QBVersion Country ShipAddr:PhysicalAddress "
                                    "OtherAddr:PhysicalAddress Mobile:TelephoneNumber "
                                    "Fax:TelephoneNumber Email:EmailAddress "
                                    "WebAddr:WebSiteAddress LastImportedTime LastSyncTime "
                                    "SupportedLanguages DefaultTimeZone MultiByteCharsSupported "
                                    "NameValue:NameValue FifoCalculationStatus CompanyInfoEx:*"),
    "Preferences": ("IntuitEntity", "AccountingInfoPrefs:CompanyAccountingPrefs "
                                    "AdvancedInventoryPrefs:AdvancedInventoryPrefs "
                                    "ProductAndServicesPrefs:ProductAndServicesPrefs "
                                    "SalesFormsPrefs:SalesFormsPrefs "
                                    "EmailMessagesPrefs:EmailMessagesPrefs "
                                    "PrintDocumentPrefs:PrintDocumentPrefs "
                                    "VendorAndPurchasesPrefs:VendorAndPurchasesPrefs "
                                    "TimeTrackingPrefs:TimeTrackingPrefs TaxPrefs:TaxPrefs "
                                    "FinanceChargesPrefs:FinanceChargePrefs "
                                    "CurrencyPrefs:CurrencyPrefs ReportPrefs:ReportPrefs "
                                    "OtherPrefs:OtherPrefs"),
    "Attachable": ("IntuitEntity", "FileName FileAccessUri TempDownloadUri Size ContentType "
                                   "Category Lat Long PlaceName Note Tag ThumbnailFileAccessUri "
                                   "ThumbnailTempDownloadUri AttachableEx:* documentId"),
    "Transaction": ("IntuitEntity", "DocNumber TxnDate DepartmentRef:ReferenceType "
                                    "CurrencyRef:ReferenceType ExchangeRate PrivateNote TxnStatus "
                                    "LinkedTxn:LinkedTxn Line:Line TxnTaxDetail:TxnTaxDetail "
                                    "TxnSource TaxFormType TaxFormNum TransactionLocationType "
                                    "Tag:Tag TxnApprovalInfo:TxnApprovalInfo "
                                    "RecurDataRef:ReferenceType RecurringInfo:RecurringInfo "
                                    "ProjectRef:ReferenceType TotalCostAmount HomeTotalCostAmount"),
    "ReferenceType": (None, "value name type"),
    "CheckPayment": (None, "CheckNum Status NameOnAcct AcctNum BankName CheckPaymentEx:*"),
    "CreditCardPayment": (None, "CreditChargeInfo:CreditChargeInfo "
                                "CreditChargeResponse:CreditChargeResponse"),
    "PhysicalAddress": (None, "Id Line1 Line2 Line3 Line4 Line5 City Country CountryCode County "
                              "CountrySubDivisionCode PostalCode PostalCodeSuffix Lat Long Tag "
                              "Note"),
    "CashBackInfo": (None, "AccountRef:ReferenceType Amount Memo"),
    "PurchaseByVendor": ("Transaction", "VendorRef:ReferenceType APAccountRef:ReferenceType "
                                        "TotalAmt BillEmail:EmailAddress ReplyEmail:EmailAddress "
                                        "Memo GlobalTaxCalculation"),
    "BillPaymentCheck": (None, "BankAccountRef:ReferenceType PrintStatus CheckDetail:CheckPayment "
                               "PayeeAddr:PhysicalAddress BillPaymentCheckEx:*"),
    "BillPaymentCreditCard": (None, "CCAccountRef:ReferenceType CCDetail:CreditCardPayment "
                                    "BillPaymentCreditCardEx:*"),
    "SalesTransaction": ("Transaction", "AutoDocNumber CustomerRef:ReferenceType "
                                        "CustomerMemo:MemoRef BillAddr:PhysicalAddress "
                                        "ShipAddr:PhysicalAddress FreeFormAddress "
                                        "ShipFromAddr:PhysicalAddress RemitToRef:ReferenceType "
                                        "ClassRef:ReferenceType SalesTermRef:ReferenceType "
                                        "DueDate SalesRepRef:ReferenceType PONumber FOB "
                                        "ShipMethodRef:ReferenceType ShipDate TrackingNum "
                                        "GlobalTaxCalculation TotalAmt HomeTotalAmt "
                                        "ApplyTaxAfterDiscount ShippingTaxIncludedInTotalTax "
                                        "TemplateRef:ReferenceType PrintStatus EmailStatus "
                                        "BillEmail:EmailAddress BillEmailCc:EmailAddress "
                                        "BillEmailBcc:EmailAddress ARAccountRef:ReferenceType "
                                        "Balance HomeBalance FinanceCharge "
                                        "PaymentMethodRef:ReferenceType PaymentRefNum PaymentType "
                                        "CheckPayment:CheckPayment "
                                        "CreditCardPayment:CreditCardPayment "
                                        "DepositToAccountRef:ReferenceType "
                                        "DeliveryInfo:TransactionDeliveryInfo DiscountRate "
                                        "DiscountAmt GovtTxnRefIdentifier "
                                        "TaxExemptionRef:ReferenceType"),
    "MXGlobalInfo": (None, "Periodicity Month Year"),
    "StatusInfo": (None, "status statusDate callToAction"),
    "ConvenienceFeeDetail": ("IntuitEntity", "ConvenienceFeeType ConvenienceFeePercent"),
    "EnabledSurchargeInfo": (None, "Enabled Card:SurchargePaymentMethodInfo "
                                   "ACH:SurchargePaymentMethodInfo"),
    "EmailAddress": (None, "Id Address Default Tag"),
    "IntuitEntity": (None, "Id SyncToken MetaData:ModificationMetaData CustomField:CustomField "
                           "AttachableRef:AttachableRef domain status sparse"),
    "NameBase": ("IntuitEntity", "IntuitId Organization Title GivenName MiddleName FamilyName "
                                 "Suffix FullyQualifiedName CompanyName DisplayName "
                                 "PrintOnCheckName UserId Active V4IDPseudonym "
                                 "PrimaryPhone:TelephoneNumber AlternatePhone:TelephoneNumber "
                                 "Mobile:TelephoneNumber Fax:TelephoneNumber "
                                 "PrimaryEmailAddr:EmailAddress WebAddr:WebSiteAddress "
                                 "OtherContactInfo:ContactInfo DefaultTaxCodeRef:ReferenceType"),
    "VendorBankAccountDetail": (None, "BankBranchIdentifier BankAccountNumber BankAccountName "
                                      "StatementText"),
    "CreditChargeInfo": (None, "Number Type NameOnAcct CcExpiryMonth CcExpiryYear BillAddrStreet "
                               "PostalCode CommercialCardCode CCTxnMode CCTxnType PrevCCTransId "
                               "Amount ProcessPayment CreditCardChargeInfoEx:*"),
    "JobInfo": (None, "Status StartDate ProjectedEndDate EndDate Description "
                      "JobTypeRef:ReferenceType"),
    "ItemGroupDetail": (None, "ItemGroupLine:ItemComponentLine"),
    "ItemAssemblyDetail": (None, "ItemAssemblyLine:ItemComponentLine"),
    "CustomExtensions": (None, "ExtensionType AssociatedValues:CustomExtensionAssociatedValues"),
    "TaxRateList": (None, "TaxRateDetail:TaxRateDetail originatingGroupId"),
    "EffectiveTaxRate": (None, "RateValue EffectiveDate EndDate EffectiveTaxRateEx:*"),
    "WebSiteAddress": (None, "Id URI Default Tag"),
    "TelephoneNumber": (None, "Id DeviceType CountryCode AreaCode ExchangeCode Extension "
                              "FreeFormNumber Default Tag"),
    "ContactInfo": (None, "Type Telephone:TelephoneNumber Email:EmailAddress "
                          "WebSite:WebSiteAddress OtherContact:GenericContactType"),
    "NameValue": (None, "Name Value"),
    "CompanyAccountingPrefs": (None, "UseAccountNumbers DefaultARAccount:ReferenceType "
                                     "DefaultAPAccount:ReferenceType RequiresAccounts "
                                     "TrackDepartments DepartmentTerminology ClassTrackingPerTxn "
                                     "ClassTrackingPerTxnLine AutoJournalEntryNumber "
                                     "FirstMonthOfFiscalYear TaxYearMonth TaxForm BookCloseDate "
                                     "OtherContactInfo:ContactInfo CustomerTerminology"),
    "AdvancedInventoryPrefs": (None, "MLIAvailable MLIEnabled EnhancedInventoryReceivingEnabled "
                                     "TrackingSerialOrLotNumber "
                                     "TrackingOnSalesTransactionsEnabled "
                                     "TrackingOnPurchaseTransactionsEnabled "
                                     "TrackingOnInventoryAdjustmentEnabled "
                                     "TrackingOnBuildAssemblyEnabled FIFOEnabled "
                                     "FIFOEffectiveDate RowShelfBinEnabled BarcodeEnabled"),
    "ProductAndServicesPrefs": (None, "ForSales ForPurchase InventoryAndPurchaseOrder "
                                      "QuantityWithPriceAndRate QuantityOnHand UOM "
                                      "RevenueRecognition RevenueRecognitionFrequency"),
    "SalesFormsPrefs": (None, "UsingProgressInvoicing CustomField:CustomFieldDefinition "
                              "CustomTxnNumbers DelayedCharges SalesEmailCc:EmailAddress "
                              "SalesEmailBcc:EmailAddress EmailCopyToCompany AllowDeposit "
                              "AllowDiscount DefaultDiscountAccount AllowEstimates "
                              "EstimateMessage ETransactionEnabledStatus ETransactionAttachPDF "
                              "ETransactionPaymentEnabled IPNSupportEnabled InvoiceMessage "
                              "AllowServiceDate AllowShipping DefaultShippingAccount "
                              "DefaultItem:ReferenceType DefaultTerms:ReferenceType "
                              "DefaultDeliveryMethod AutoApplyCredit AutoApplyPayments "
                              "PrintItemWithZeroAmount DefaultShipMethodRef:ReferenceType "
                              "DefaultMarkup TrackReimbursableExpensesAsIncome UsingSalesOrders "
                              "UsingPriceLevels DefaultFOB DefaultCustomerMessage"),
    "EmailMessagesPrefs": (None, "NameValue:NameValue InvoiceMessage:EmailMessage "
                                 "EstimateMessage:EmailMessage SalesReceiptMessage:EmailMessage "
                                 "StatementMessage:EmailMessage"),
    "PrintDocumentPrefs": (None, "NameValue:NameValue"),
    "VendorAndPurchasesPrefs": (None, "EnableBills TrackingByCustomer BillableExpenseTracking "
                                      "DefaultTerms:ReferenceType DefaultMarkup "
                                      "DefaultMarkupAccount:ReferenceType AutomaticBillPayment "
                                      "TPAREnabled POCustomField:CustomFieldDefinition "
                                      "MsgToVendors UsingInventory UsingMultiLocationInventory "
                                      "DaysBillsAreDue DiscountAccountRef:ReferenceType"),
    "TimeTrackingPrefs": (None, "UseServices DefaultTimeItem:ReferenceType BillCustomers "
                                "ShowBillRateToAll WorkWeekStartDate TimeTrackingEnabled "
                                "MarkTimeEntriesBillable MarkExpensesAsBillable"),
    "TaxPrefs": (None, "UsingSalesTax PartnerTaxEnabled HideTaxManagement "
                       "TaxGroupCodeRef:ReferenceType TaxRateRef:ReferenceType PaySalesTax "
                       "NonTaxableSalesTaxCodeRef:ReferenceType "
                       "TaxableSalesTaxCodeRef:ReferenceType"),
    "FinanceChargePrefs": (None, "AnnualInterestRate MinFinChrg GracePeriod "
                                 "CalcFinChrgFromTxnDate AssessFinChrgForOverdueCharges "
                                 "FinChrgAccountRef:ReferenceType"),
    "CurrencyPrefs": (None, "MultiCurrencyEnabled HomeCurrency:ReferenceType"),
    "ReportPrefs": (None, "ReportBasis CalcAgingReportFromTxnDate"),
    "OtherPrefs": (None, "NameValue:NameValue"),
    "LinkedTxn": (None, "TxnId TxnType TxnLineId"),
    "Line": (None, "Id LineNum Description Amount Received LinkedTxn:LinkedTxn DetailType "
                   "PaymentLineDetail:PaymentLineDetail DiscountLineDetail:DiscountLineDetail "
                   "TaxLineDetail:TaxLineDetail SalesItemLineDetail:SalesItemLineDetail "
                   "DescriptionLineDetail:DescriptionLineDetail "
                   "ItemBasedExpenseLineDetail:ItemBasedExpenseLineDetail "
                   "AccountBasedExpenseLineDetail:AccountBasedExpenseLineDetail "
                   "ReimburseLineDetail:ReimburseLineDetail DepositLineDetail:DepositLineDetail "
                   "PurchaseOrderItemLineDetail:PurchaseOrderItemLineDetail "
                   "SalesOrderItemLineDetail:SalesOrderItemLineDetail "
                   "ItemReceiptLineDetail:ItemReceiptLineDetail "
                   "JournalEntryLineDetail:JournalEntryLineDetail GroupLineDetail:GroupLineDetail "
                   "SubTotalLineDetail:SubTotalLineDetail TDSLineDetail:TDSLineDetail "
                   "ItemAdjustmentLineDetail:ItemAdjustmentLineDetail CustomField:CustomField "
                   "LineEx:* ProjectRef:ReferenceType CostAmount HomeCostAmount "
                   "CustomExtensions:CustomExtensions"),
    "TxnTaxDetail": (None, "DefaultTaxCodeRef:ReferenceType TxnTaxCodeRef:ReferenceType TotalTax "
                           "TaxReviewStatus TaxLine:Line UseAutomatedSalesTax"),
    "Tag": ("IntuitEntity", "Name"),
    "TxnApprovalInfo": (None, "ApprovalStatus ApprovalStatusDetail LastChangedByUser "
                              "LastChangedDate"),
    "RecurringInfo": (None, "Name RecurType Active ScheduleInfo:RecurringScheduleInfo"),
    "CreditChargeResponse": (None, "CCProcessor CCTransId Status ResultCode ResultMsg "
                                   "MerchantAcctNum CardSecurityCodeMatch AuthCode AvsStreet "
                                   "AvsZip SecurityCode ReconBatchId PaymentGroupingCode "
                                   "TxnAuthorizationTime TxnAuthorizationStamp ClientTransID "
                                   "CreditChargeResponseEx:*"),
    "MemoRef": (None, "value id"),
    "TransactionDeliveryInfo": (None, "DeliveryType DeliveryTime DeliveryErrorType"),
    "SurchargePaymentMethodInfo": (None, "Enabled"),
    "ModificationMetaData": (None, "CreatedByRef:ReferenceType CreateTime "
                                   "LastModifiedByRef:ReferenceType LastUpdatedTime "
                                   "LastChangedInQB Synchronized"),
    "CustomField": (None, "DefinitionId Name Type StringValue BooleanValue DateValue NumberValue"),
    "AttachableRef": (None, "EntityRef:ReferenceType LineInfo IncludeOnSend "
                            "CustomField:CustomField AttachableRefEx:*"),
    "ItemComponentLine": (None, "ItemRef:ReferenceType Qty UOMRef:UOMRef"),
    "CustomExtensionAssociatedValues": (None, "Key Value"),
    "TaxRateDetail": (None, "TaxRateRef:ReferenceType TaxTypeApplicable TaxOrder TaxOnTaxOrder"),
    "GenericContactType": (None, "Id Name Value Type Default Tag"),
    "CustomFieldDefinition": ("IntuitEntity", "EntityType Name Hidden Required AppId"),
    "EmailMessage": (None, "Subject Message"),
    "PaymentLineDetail": (None, "ItemRef:ReferenceType ServiceDate ClassRef:ReferenceType Balance "
                                "HomeBalance Discount:DiscountOverride PaymentLineEx:*"),
    "DiscountLineDetail": ("DiscountOverride", "ServiceDate ClassRef:ReferenceType "
                                               "TaxCodeRef:ReferenceType DiscountLineDetailEx:*"),
    "TaxLineDetail": (None, "TaxRateRef:ReferenceType PercentBased TaxPercent NetAmountTaxable "
                            "TaxInclusiveAmount OverrideDeltaAmount ServiceDate TaxLineDetailEx:*"),
    "SalesItemLineDetail": ("ItemLineDetail", "ServiceDate TaxInclusiveAmt DiscountRate "
                                              "DiscountAmt DeferredRevenue "
                                              "SalesItemLineDetailEx:*"),
    "DescriptionLineDetail": (None, "ServiceDate TaxCodeRef:ReferenceType "
                                    "DescriptionLineDetailEx:*"),
    "ItemBasedExpenseLineDetail": ("ItemLineDetail", "CustomerRef:ReferenceType BillableStatus "
                                                     "TaxInclusiveAmt "
                                                     "ItemBasedExpenseLineDetailEx:*"),
    "AccountBasedExpenseLineDetail": (None, "CustomerRef:ReferenceType ClassRef:ReferenceType "
                                            "AccountRef:ReferenceType BillableStatus "
                                            "MarkupInfo:MarkupInfo TaxAmount "
                                            "TaxCodeRef:ReferenceType TaxInclusiveAmt "
                                            "ExpenseDetailLineDetailEx:*"),
    "ReimburseLineDetail": ("ItemLineDetail", ""),
    "DepositLineDetail": (None, "Entity:ReferenceType ClassRef:ReferenceType "
                                "AccountRef:ReferenceType PaymentMethodRef:ReferenceType CheckNum "
                                "TxnType TaxCodeRef:ReferenceType TaxApplicableOn "
                                "DepositLineDetailEx:*"),
    "PurchaseOrderItemLineDetail": ("SalesItemLineDetail", "ManPartNum ManuallyClosed OpenQty "
                                                           "PurchaseOrderItemLineDetailEx:*"),
    "SalesOrderItemLineDetail": ("SalesItemLineDetail", "ManuallyClosed"),
    "ItemReceiptLineDetail": (None, "ItemReceiptLineDetailEx:*"),
    "JournalEntryLineDetail": (None, "PostingType Entity:EntityTypeRef AccountRef:ReferenceType "
                                     "ClassRef:ReferenceType DepartmentRef:ReferenceType "
                                     "TaxCodeRef:ReferenceType TaxRateRef:ReferenceType "
                                     "TaxApplicableOn TaxAmount TaxInclusiveAmt BillableStatus "
                                     "JournalCodeRef:ReferenceType JournalEntryLineDetailEx:*"),
    "GroupLineDetail": (None, "GroupItemRef:ReferenceType Quantity UOMRef:UOMRef ServiceDate "
                              "Line:Line GroupLineDetailEx:*"),
    "SubTotalLineDetail": (None, "ItemRef:ReferenceType ServiceDate"),
    "TDSLineDetail": (None, "TDSAccountRef:ReferenceType TDSSectionTypeId TDSLineDetailEx:*"),
    "ItemAdjustmentLineDetail": (None, "ItemRef:ReferenceType SalesPrice QtyDiff NewQty "
                                       "ClassRef:ReferenceType"),
    "RecurringScheduleInfo": (None, "IntervalType NumInterval DayOfMonth DayOfWeek WeekOfMonth "
                                    "MonthOfYear RemindDays DaysBefore MaxOccurrences StartDate "
                                    "EndDate NextDate PreviousDate"),
    "UOMRef": (None, "Unit UOMSetRef:ReferenceType"),
    "DiscountOverride": (None, "DiscountRef:ReferenceType PercentBased DiscountPercent "
                               "DiscountAccountRef:ReferenceType"),
    "ItemLineDetail": (None, "ItemRef:ReferenceType ClassRef:ReferenceType UnitPrice "
                             "UnitCostPrice RatePercent PriceLevelRef:ReferenceType "
                             "MarkupInfo:MarkupInfo Qty UOMRef:UOMRef "
                             "ItemAccountRef:ReferenceType InventorySiteRef:ReferenceType "
                             "TaxCodeRef:ReferenceType TaxClassificationRef:ReferenceType"),
    "MarkupInfo": (None, "PercentBased Value Percent PriceLevelRef:ReferenceType "
                         "MarkUpIncomeAccountRef:ReferenceType"),
    "EntityTypeRef": (None, "Type EntityRef:ReferenceType"),
}
# fmt: on

_ANY = "*"


class UnknownEntity(KeyError):
    """Raised for an entity name the sandbox does not serve (names are case-sensitive)."""


def _own_fields(type_name: str) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for token in _SCHEMA[type_name][1].split():
        name, _, held = token.partition(":")
        fields[name] = held or None
    return fields


def _flatten(type_name: str) -> dict[str, str | None]:
    base = _SCHEMA[type_name][0]
    fields = _flatten(base) if base else {}
    fields.update(_own_fields(type_name))
    return fields


TYPE_FIELDS: Mapping[str, Mapping[str, str | None]] = MappingProxyType(
    {name: MappingProxyType(_flatten(name)) for name in _SCHEMA}
)
"""Every complex type's fields, inherited included: field name -> complex type held, or None."""

ENTITY_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {name: frozenset(TYPE_FIELDS[ENTITY_TYPES.get(name, name)]) for name in SERVED_ENTITIES}
)
"""The top-level JSON keys Intuit's schema allows for each served entity."""


def field_type(type_name: str, field: str) -> str | None:
    """The complex type a field holds (`*` for free-form extension), or None for a simple value."""
    return TYPE_FIELDS[type_name][field]


def unknown_fields(entity: str, payload: Mapping[str, Any]) -> list[str]:
    """Dotted paths of every key in `payload` that Intuit's schema does not define for `entity`.

    Nested objects, lists (`Line[2].SalesItemLineDetail.ItemRef`) and line details are checked
    against the types they hold. An empty list means the payload uses schema names only.
    """
    if entity not in ENTITY_FIELDS:
        raise UnknownEntity(entity)
    found: list[str] = []
    _check(ENTITY_TYPES.get(entity, entity), payload, path="", found=found)
    return found


def _check(type_name: str | None, obj: Mapping[str, Any], path: str, found: list[str]) -> None:
    allowed = TYPE_FIELDS[type_name] if type_name else {}
    for key, value in obj.items():
        key_path = f"{path}.{key}" if path else str(key)
        if key not in allowed:
            found.append(key_path)
            continue
        held = allowed[key]
        if held == _ANY:
            continue
        _check_value(held, value, key_path, found)


def _check_value(held: str | None, value: Any, path: str, found: list[str]) -> None:
    if isinstance(value, Mapping):
        # A mapping under a simple-valued field has no schema names at all: every key is unknown.
        _check(held, value, path, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(held, item, f"{path}[{index}]", found)
