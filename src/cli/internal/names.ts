/**
 * How `effect-jobs generate job <name>` turns the name it is given into a class name, a job name and a file
 * name. Every spelling of the same words gives the same three names:
 *
 *   `send-email`, `send_email`, `send email`, `sendEmail`, `SendEmail`, `SEND_EMAIL`
 *     class and job name `SendEmail`, file `send-email.ts`
 *   `HTTPRequest`, `HttpRequest`, `http-request`
 *     class and job name `HttpRequest`, file `http-request.ts`
 *   `oauth2Token`, `oauth2-token`, `Oauth2Token`
 *     class and job name `Oauth2Token`, file `oauth2-token.ts`
 *
 * The rules:
 * - A name is ASCII letters, digits and separators (whitespace, `-`, `_`, `.`); anything else is refused, so
 *   that nothing is silently dropped.
 * - Words are split at separators and at case changes: `sendEmail` is `send` `Email`; a run of capitals is an
 *   acronym that ends before a capital starting a lower-case word (`HTTPRequest` is `HTTP` `Request`).
 * - Digits belong to the word before them (`S3Upload` is `S3` `Upload`, `send 2 email` is `send2` `email`).
 * - The class name capitalizes each word and lower-cases the rest, acronyms included (`HTTP` becomes `Http`),
 *   so that `HTTPRequest` and `http-request` name the same job. The job name is the class name.
 * - The file name is the words in lower case joined by `-`, with `.ts`.
 * - Refused: a name with no letters or digits, a class name starting with a digit, one longer than a job
 *   name may be (200 characters), a file name longer than 255 characters, and a class name the generated
 *   file imports (`Effect`, `Schema`, `JobParameters`, `JobQueue`).
 */
import { Either } from "effect"

/**
 * The names of a generated job.
 */
export interface JobNames {
  /** The PascalCase class of the job's parameters, e.g. `SendEmail`. */
  readonly className: string
  /** The stable name stored with every job: the class name. */
  readonly jobName: string
  /** The file the job is written to, e.g. `send-email.ts`. */
  readonly fileName: string
  /** The exported effect that registers the job's handler, e.g. `registerSendEmail`. */
  readonly registerName: string
}

/** Names the generated file imports; a class of the same name would clash with them. */
export const importedNames: ReadonlyArray<string> = ["Effect", "Schema", "JobParameters", "JobQueue"]

/** The longest job name `JobParameters` accepts. */
const maxJobNameLength = 200

/** The longest file name common file systems accept. */
const maxFileNameLength = 255

const separators = /[\s._-]+/

/** An acronym (capitals not followed by a lower-case letter), a word, or digits; digits stay with their word. */
const wordPattern = /[A-Z]+(?![a-z])\d*|[A-Z]?[a-z]+\d*|\d+/g

/** The first character that is neither an ASCII letter or digit nor a separator, if any. */
export const unexpectedCharacter = (name: string): string | undefined => /[^A-Za-z0-9\s._-]/u.exec(name)?.[0]

/**
 * The words of a name, as spelled: split at separators and case changes, a word of digits joined to the
 * word before it. Other characters belong to no word (`jobNames` refuses them before splitting).
 */
export const splitWords = (name: string): ReadonlyArray<string> => {
  const words: Array<string> = []
  for (const chunk of name.split(separators)) {
    for (const word of chunk.match(wordPattern) ?? []) {
      if (/^\d+$/.test(word) && words.length > 0) words[words.length - 1] += word
      else words.push(word)
    }
  }
  return words
}

/** `send` `EMAIL` gives `SendEmail`. */
export const toClassName = (words: ReadonlyArray<string>): string =>
  words.map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()).join("")

/** `send` `EMAIL` gives `send-email.ts`. */
export const toFileName = (words: ReadonlyArray<string>): string =>
  `${words.map((word) => word.toLowerCase()).join("-")}.ts`

/** Why a class and file name cannot be those of a generated job, if they cannot; the text follows the name. */
const refusal = (className: string, fileName: string): string | undefined => {
  if (/^\d/.test(className)) return `gives the class name ${className}, which starts with a digit: start with a letter`
  if (className.length > maxJobNameLength) {
    return `gives a class name of ${className.length} characters; a job name has at most ${maxJobNameLength}`
  }
  if (fileName.length > maxFileNameLength) {
    return `gives a file name of ${fileName.length} characters; at most ${maxFileNameLength} are allowed`
  }
  if (importedNames.includes(className)) {
    return `gives the class name ${className}, which the job's file imports from another module: choose another name`
  }
  return undefined
}

/**
 * The class, job and file names for a given name, or the reason it cannot name a job (quoting the name).
 */
export const jobNames = (name: string): Either.Either<JobNames, string> => {
  const shown = JSON.stringify(name)
  const unexpected = unexpectedCharacter(name)
  if (unexpected !== undefined) {
    const allowed = `use letters A-Z, digits, and spaces, "-", "_" or "." between words`
    return Either.left(`${shown} contains ${JSON.stringify(unexpected)}: ${allowed}`)
  }
  const words = splitWords(name)
  if (words.length === 0) return Either.left(`${shown} has no letters or digits to make a class name of`)
  const className = toClassName(words)
  const fileName = toFileName(words)
  const reason = refusal(className, fileName)
  return reason === undefined
    ? Either.right({ className, jobName: className, fileName, registerName: `register${className}` })
    : Either.left(`${shown} ${reason}`)
}
