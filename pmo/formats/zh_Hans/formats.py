# Money and large quantities read 1,234,567.89 on Chinese pages, as finance staff write them.
THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."
NUMBER_GROUPING = 3
