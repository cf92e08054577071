"""AWS KMS (JSON 1.1 protocol, ``X-Amz-Target: TrentService.<Action>``) on the server's port."""
