"""The top of the house: the portfolio dashboard, and the composition of the apps below it.

It alone may read every app: the root URL configuration (``dashboard.urls``), the portfolio
dashboard (``portfolio``, its page and API) and the seeding of the demo and bench organisations.
"""
