/**
 * Sizes of a message: their own module so that the browser page, which needs only these numbers
 * (the composer's limit, notice ids), does not load the payload codec and the file manifest it carries.
 */

/** Longest text a message may carry, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 16 * 1024
/** Length of a message id. */
export const MESSAGE_ID_LENGTH = 16
