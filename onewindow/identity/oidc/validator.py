from oauth2_provider.oauth2_validators import OAuth2Validator


class OneWindowValidator(OAuth2Validator):
    """Claims for the platform's people (filled in by the OIDC work)."""
