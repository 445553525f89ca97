"""Customer data: typed custom attributes, the record shape every source of customer data
(file imports, CRM syncs, CRM webhooks) is checked against, reading CSV and JSON files, and
the profile values replies are filled from. No HTTP and no writes (actions/customer_data.py)."""
