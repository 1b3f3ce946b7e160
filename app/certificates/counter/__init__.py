"""The counter (窓口): 窓口交付 by staff (``desk``, ``routes``: search, the 支援措置 decisions for a
household copy, issue, void, reissue), らくらく窓口 where residents choose at a touch screen after
their card is read (``self_service_routes``, the queue of requests in ``queue``), and the print
station that prints what staff hand over (``print_station_routes``). Its views are on the
certificates blueprint (URLs /certificates/…).

May import: core, audit, certificates, residents, cardauth (the card read at らくらく窓口),
shelters.services (the resident search the shelter desk uses too), certificate_engine.
Must not import: disasters, kiosk.
"""
