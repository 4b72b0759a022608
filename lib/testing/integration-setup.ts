// Every integration test file runs with a known secret key and quiet logs.
process.env.HANGAR_SECRET_KEY ??= Buffer.alloc(32, 7).toString("base64");
process.env.NEXTAUTH_SECRET ??= "integration-test-secret";
process.env.LOG_LEVEL ??= "silent";
