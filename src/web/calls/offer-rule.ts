/**
 * Which side of a pair of call participants offers the pair's peer connection (peer-link.ts).
 * Both sides compute the same answer from what they both know, so a pair never offers twice at
 * once (no glare). Whoever answers the caller offers to it: that device is ready the moment it
 * accepts, and its offer goes out right behind its ACCEPT, one trip sooner than an offer the
 * caller could only make once the ACCEPT arrived. Two devices that joined someone else's call
 * order by device id. This is a rule of the mesh's media only: the call state (core/calls) does
 * not depend on it. One exception comes before it: a device that holds the caller's early offer
 * from the INVITE (PROTOCOL.md §11.5) answers that offer instead; should it offer anyway (it lost
 * the offer in a reload), the caller is the polite side and gives way.
 */

/** Whether `self` offers the peer connection between it and `other`, in a call `caller` started. */
export function offersTo (self: string, other: string, caller: string): boolean {
  if (other === caller) return true
  if (self === caller) return false
  return self < other
}
