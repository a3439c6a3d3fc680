"""The panel's pages, one module each: ``NAV`` (a :class:`~adapters.panel.web.NavItem`, or
none) and ``routes(panel) -> list[RouteDef]``. The component finds them by listing this
package, so a page is added as a new file and registered nowhere."""
