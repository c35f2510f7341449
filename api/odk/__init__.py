"""The HTTP side of ODK compatibility: OpenRosa for phones, ODK Central's REST subset and OData for pyodk."""
