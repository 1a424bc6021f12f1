# Django's Hebrew formats leave numbers ungrouped; budgets and reach read better as 1,800 and 150,000.
NUMBER_GROUPING = 3
