/**
 * How `generate job <name>` names a job: every spelling of the same words gives one class, job and file name,
 * and names that cannot make a class are refused with the reason.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { jobNames, splitWords } from "../../src/cli/internal/names.js"

describe("jobNames", () => {
  it.each([
    // one word
    ["iguanas", "Iguanas", "iguanas.ts"],
    ["Iguanas", "Iguanas", "iguanas.ts"],
    ["IGUANAS", "Iguanas", "iguanas.ts"],
    // every spelling of two words
    ["send-email", "SendEmail", "send-email.ts"],
    ["send_email", "SendEmail", "send-email.ts"],
    ["send email", "SendEmail", "send-email.ts"],
    ["send.email", "SendEmail", "send-email.ts"],
    ["SendEmail", "SendEmail", "send-email.ts"],
    ["sendEmail", "SendEmail", "send-email.ts"],
    ["SEND_EMAIL", "SendEmail", "send-email.ts"],
    ["Send-Email", "SendEmail", "send-email.ts"],
    ["  send \t email  ", "SendEmail", "send-email.ts"],
    ["--send--email--", "SendEmail", "send-email.ts"],
    // acronyms end before a capital that starts a lower-case word, and read as words
    ["HTTPRequest", "HttpRequest", "http-request.ts"],
    ["HttpRequest", "HttpRequest", "http-request.ts"],
    ["http-request", "HttpRequest", "http-request.ts"],
    ["getHTTPResponseCode", "GetHttpResponseCode", "get-http-response-code.ts"],
    ["userID", "UserId", "user-id.ts"],
    // digits stay with the word before them
    ["oauth2Token", "Oauth2Token", "oauth2-token.ts"],
    ["oauth2-token", "Oauth2Token", "oauth2-token.ts"],
    ["S3Upload", "S3Upload", "s3-upload.ts"],
    ["s3_upload", "S3Upload", "s3-upload.ts"],
    ["HTTP2Request", "Http2Request", "http2-request.ts"],
    ["send 2 email", "Send2Email", "send2-email.ts"],
    ["Send2Email", "Send2Email", "send2-email.ts"],
    ["resize-image-v2", "ResizeImageV2", "resize-image-v2.ts"],
    // short words
    ["x", "X", "x.ts"],
    ["a b", "AB", "a-b.ts"]
  ])("%j is the class %s in %s", (name, className, fileName) => {
    expect(jobNames(name)).toStrictEqual(
      Either.right({ className, jobName: className, fileName, registerName: `register${className}` })
    )
  })

  it.each(["send-email", "HTTPRequest", "oauth2Token", "S3Upload", "send 2 email", "resize-image-v2"])(
    "the class name made from %j makes itself and the same file",
    (name) => {
      const names = Either.getOrThrow(jobNames(name))
      expect(jobNames(names.className)).toStrictEqual(Either.right(names))
    }
  )

  it.each([
    ["", "has no letters or digits"],
    ["   ", "has no letters or digits"],
    ["-_.", "has no letters or digits"],
    ["123", "gives the class name 123, which starts with a digit"],
    ["2fa", "gives the class name 2Fa, which starts with a digit"],
    ["42 answers", "gives the class name 42Answers, which starts with a digit"],
    ["café", "contains \"é\""],
    ["send/email", "contains \"/\""],
    ["send@email", "contains \"@\""],
    ["$", "contains \"$\""],
    ["!!!", "contains \"!\""],
    ["Effect", "gives the class name Effect, which the job's file imports"],
    ["schema", "gives the class name Schema, which the job's file imports"],
    ["job-queue", "gives the class name JobQueue, which the job's file imports"],
    ["JOB_PARAMETERS", "gives the class name JobParameters, which the job's file imports"],
    ["a".repeat(201), "gives a class name of 201 characters; a job name has at most 200"],
    [Array.from({ length: 128 }, () => "a").join(" "), "gives a file name of 258 characters; at most 255"]
  ])("refuses %j: %s", (name, reason) => {
    const refusal = Either.match(jobNames(name), {
      onLeft: (text) => text,
      onRight: (names) => `accepted as ${names.className}`
    })
    expect(refusal).toContain(reason)
    // The reason quotes the name it refuses.
    expect(refusal.startsWith(JSON.stringify(name))).toBe(true)
  })

  it("accepts a class name of 200 characters, the longest job name", () => {
    expect(Either.map(jobNames("a".repeat(200)), (names) => names.className.length)).toStrictEqual(Either.right(200))
  })
})

describe("splitWords", () => {
  it.each([
    ["sendEmail", ["send", "Email"]],
    ["SEND_EMAIL", ["SEND", "EMAIL"]],
    ["HTTPRequest", ["HTTP", "Request"]],
    ["ABc", ["A", "Bc"]],
    ["v2Sync", ["v2", "Sync"]],
    ["send 2fa", ["send2", "fa"]],
    ["2fa", ["2", "fa"]],
    ["", []]
  ])("splits %j into %j", (name, words) => {
    expect(splitWords(name)).toStrictEqual(words)
  })
})
