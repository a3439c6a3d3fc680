"""The SMS channel (SMSAPI through its official client): urgent notices to phones."""
